import { useEffect, useRef, useState, type FormEvent } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useSession } from './session.tsx';

/** Where to go after signing in: the `retour` parameter when it is a path of this site, else the personal space. */
function returnPath(): string {
  const r = new URLSearchParams(window.location.search).get('retour');
  return r && r.startsWith('/') && !r.startsWith('//') ? r : '/espace';
}

/** Sign-in of people (administrators, referents, professionals) with e-mail and password. */
export function LoginPage() {
  const session = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = 'Se connecter — ROR';
    heading.current?.focus();
  }, []);
  useEffect(() => {
    if (session.user) window.location.assign(returnPath());
  }, [session.user]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.signIn(email.trim(), password);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={fr.cx('fr-grid-row', 'fr-grid-row--center')}>
      <div className={fr.cx('fr-col-12', 'fr-col-md-6')}>
        <h1 ref={heading} tabIndex={-1}>Se connecter</h1>
        <p>Référents de structure, professionnels, administrateurs régionaux et nationaux.</p>
        {error && <Alert severity="error" small description={error} className={fr.cx('fr-mb-3w')} role="alert" />}
        <form onSubmit={submit} noValidate>
          <Input label="Adresse électronique" nativeInputProps={{ id: 'email', type: 'email', autoComplete: 'username', required: true, value: email, onChange: (e) => setEmail(e.target.value) }} />
          <Input label="Mot de passe" nativeInputProps={{ id: 'password', type: 'password', autoComplete: 'current-password', required: true, value: password, onChange: (e) => setPassword(e.target.value) }} />
          <Button type="submit" disabled={busy}>Se connecter</Button>
        </form>
        <p className={fr.cx('fr-mt-2w')}><a href="/mot-de-passe-oublie">Mot de passe oublié ?</a></p>
        <p className={fr.cx('fr-mt-3w')}>
          Professionnel de santé libéral ? <a href="/inscription">Inscrivez-vous avec votre numéro RPPS</a>.
        </p>
      </div>
    </div>
  );
}
