import { useEffect, useRef, useState, type FormEvent } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { errorMessage, useSession } from './session.tsx';

const MIN_LENGTH = 12;

/** POST with the session's CSRF token when someone is signed in (the server requires it with a session cookie). */
async function postJson(url: string, body: unknown, csrfToken: string | null): Promise<string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(url, { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(await errorMessage(res));
  return ((await res.json()) as { message: string }).message;
}

/** "Mot de passe oublié": ask for a link by e-mail, or (with ?jeton=) choose the new password. */
export function PasswordResetPage() {
  const token = new URLSearchParams(window.location.search).get('jeton');
  const { csrfToken } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = 'Mot de passe oublié — ROR';
    heading.current?.focus();
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setFieldError(null);
    if (token) {
      if (password.length < MIN_LENGTH) return setFieldError(`Au moins ${MIN_LENGTH} caractères`);
      if (password !== confirmation) return setFieldError('Les deux saisies diffèrent');
    } else if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) {
      return setFieldError('Adresse électronique invalide');
    }
    setBusy(true);
    try {
      setDone(token
        ? await postJson('/auth/password-reset/confirm', { token, password }, csrfToken)
        : await postJson('/auth/password-reset/request', { email: email.trim() }, csrfToken));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={fr.cx('fr-grid-row', 'fr-grid-row--center')}>
      <div className={fr.cx('fr-col-12', 'fr-col-md-6')}>
        <h1 ref={heading} tabIndex={-1}>{token ? 'Choisir un nouveau mot de passe' : 'Mot de passe oublié'}</h1>
        {error && <Alert severity="error" small description={error} className={fr.cx('fr-mb-3w')} role="alert" />}
        {done ? (
          <>
            <Alert severity="success" small description={done} role="status" />
            <p className={fr.cx('fr-mt-3w')}><a href="/connexion">Se connecter</a></p>
          </>
        ) : (
          <form onSubmit={submit} noValidate>
            {token ? (
              <>
                <Input label={`Nouveau mot de passe (au moins ${MIN_LENGTH} caractères)`} state={fieldError ? 'error' : 'default'} stateRelatedMessage={fieldError ?? undefined}
                  nativeInputProps={{ id: 'nouveau', type: 'password', autoComplete: 'new-password', value: password, onChange: (e) => setPassword(e.target.value) }} />
                <Input label="Confirmation" nativeInputProps={{ id: 'confirmation', type: 'password', autoComplete: 'new-password', value: confirmation, onChange: (e) => setConfirmation(e.target.value) }} />
              </>
            ) : (
              <>
                <p>Indiquez l’adresse électronique de votre compte : vous recevrez un lien pour choisir un nouveau mot de passe.</p>
                <Input label="Adresse électronique" state={fieldError ? 'error' : 'default'} stateRelatedMessage={fieldError ?? undefined}
                  nativeInputProps={{ id: 'email', type: 'email', autoComplete: 'username', value: email, onChange: (e) => setEmail(e.target.value) }} />
              </>
            )}
            <Button type="submit" disabled={busy}>{token ? 'Enregistrer le mot de passe' : 'Recevoir le lien'}</Button>
          </form>
        )}
      </div>
    </div>
  );
}
