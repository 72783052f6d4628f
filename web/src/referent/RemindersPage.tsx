import { useCallback, useEffect, useState } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useApi } from '../session.tsx';
import type { ReminderRun } from './types.ts';
import { formatDateTime, useSignedIn } from './useSignedIn.ts';

const TRIGGERS: Record<string, string> = { interval: 'automatique', cli: 'ligne de commande', admin: 'depuis cette page' };

/** Administrators: the runs of the freshness reminder job (e-mail digests to referents), and a run now. */
export function RemindersPage() {
  const user = useSignedIn();
  const api = useApi();
  const [data, setData] = useState<{ staleAfterDays: number; intervalHours: number; runs: ReminderRun[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api<{ staleAfterDays: number; intervalHours: number; runs: ReminderRun[] }>('/api/espace/rappels').then(({ body }) => setData(body)).catch((e: Error) => setError(e.message));
  }, [api]);
  useEffect(() => {
    document.title = 'Rappels de fraîcheur — ROR';
    if (user) load();
  }, [user, load]);
  const runNow = async () => {
    try {
      await api('/api/espace/rappels', { method: 'POST' });
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (!user) return <p>Chargement…</p>;
  return (
    <>
      <h1>Rappels de fraîcheur</h1>
      {error && <Alert severity="error" small description={error} role="alert" />}
      {data && (
        <>
          <p>Chaque référent reçoit un récapitulatif des données non confirmées depuis plus de {data.staleAfterDays} jours
            {data.intervalHours > 0 ? `, toutes les ${data.intervalHours} heures` : ' (envoi automatique désactivé)'}.</p>
          {user.role === 'national-admin' && <Button onClick={() => void runNow()} className={fr.cx('fr-mb-3w')}>Lancer maintenant</Button>}
          <div className={fr.cx('fr-table')}>
            <table>
              <caption>Dernières exécutions</caption>
              <thead><tr><th>Début</th><th>Fin</th><th>Déclenchement</th><th>Statut</th><th>Référents</th><th>Données à confirmer</th><th>Courriels</th></tr></thead>
              <tbody>
                {data.runs.map((r) => (
                  <tr key={r.id}>
                    <td>{formatDateTime(r.startedAt)}</td><td>{formatDateTime(r.finishedAt ?? undefined)}</td><td>{TRIGGERS[r.trigger] ?? r.trigger}</td>
                    <td>{r.status === 'done' ? 'terminé' : r.status === 'failed' ? `échec : ${r.error ?? ''}` : 'en cours'}</td>
                    <td>{r.referents}</td><td>{r.staleItems}</td><td>{r.emailsSent}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
