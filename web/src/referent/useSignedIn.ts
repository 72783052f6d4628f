import { useEffect } from 'react';
import { useSession, type SessionUser } from '../session.tsx';

/** The signed-in person; sends anonymous visitors to /connexion with the way back. undefined while unknown. */
export function useSignedIn(): SessionUser | null | undefined {
  const { user } = useSession();
  useEffect(() => {
    if (user === null) window.location.assign(`/connexion?retour=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }, [user]);
  return user;
}

export const formatDateTime = (iso: string | undefined) =>
  iso ? new Date(iso).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' }) : '—';
export const formatDay = (iso: string | undefined) => (iso ? new Date(iso).toLocaleDateString('fr-FR') : '—');
