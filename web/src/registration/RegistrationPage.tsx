import { useEffect, useRef, useState, type FormEvent } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { postJson, type ApiProblem } from './registration-api.ts';

interface Identity {
  rpps: string;
  family: string;
  given: string | null;
  profession: { code: string; display: string };
}

/**
 * Self-registration of a private-practice professional: the RPPS number finds the identity in the imported
 * Annuaire Santé data, then an e-mail address and a password; the account is activated from the e-mail.
 */
export function RegistrationPage() {
  const [rpps, setRpps] = useState('');
  const [identity, setIdentity] = useState<Identity | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = 'Inscription des professionnels libéraux — ROR';
    heading.current?.focus();
  }, []);

  const lookUp = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setFieldErrors({});
    setIdentity(null);
    const n = rpps.replace(/\s/g, '');
    if (!/^\d{11,12}$/.test(n)) {
      setFieldErrors({ rpps: 'Le numéro RPPS compte 11 chiffres (ou 12 avec le 8 initial de l\'identifiant national)' });
      return;
    }
    setBusy(true);
    try {
      const res = await fetch(`/api/inscription/rpps/${encodeURIComponent(n)}`, { headers: { Accept: 'application/json' } });
      const body = await res.json();
      if (!res.ok) setProblem(body as ApiProblem);
      else setIdentity(body as Identity);
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) errs.email = 'Adresse électronique invalide (ex. prenom.nom@exemple.fr)';
    if (password.length < 12) errs.password = 'Le mot de passe doit compter au moins 12 caractères';
    else if (password !== password2) errs.password2 = 'Les deux mots de passe diffèrent';
    setFieldErrors(errs);
    setProblem(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const r = await postJson('/api/inscription', { rpps: identity!.rpps, email: email.trim(), password });
      if (r.ok) setSentTo((r.body as { email: string }).email);
      else {
        setFieldErrors(r.problem.fields ?? {});
        setProblem(r.problem);
      }
    } finally {
      setBusy(false);
    }
  };

  const err = (k: string) => (fieldErrors[k] ? { state: 'error' as const, stateRelatedMessage: fieldErrors[k] } : {});

  return (
    <div className={fr.cx('fr-grid-row', 'fr-grid-row--center')}>
      <div className={fr.cx('fr-col-12', 'fr-col-md-8')}>
        <h1 ref={heading} tabIndex={-1}>Inscrire mon offre de ville</h1>
        <p>Masseurs-kinésithérapeutes, sages-femmes et orthophonistes libéraux : rendez votre offre visible des équipes de sortie d'hospitalisation et des coordinateurs de parcours.</p>
        {problem && <Alert severity="error" small description={problem.error.fr} className={fr.cx('fr-mb-3w')} role="alert" />}
        {sentTo ? (
          <Alert severity="success" title="Vérifiez votre messagerie" role="status"
            description={`Un courriel de confirmation a été envoyé à ${sentTo}. Ouvrez le lien qu'il contient pour activer votre compte, puis décrivez votre offre.`} />
        ) : (
          <>
            <form onSubmit={lookUp} noValidate>
              <Input label="Numéro RPPS" hintText="11 chiffres, sur votre carte CPS ou dans l'Annuaire Santé" {...err('rpps')}
                nativeInputProps={{ id: 'rpps', inputMode: 'numeric', autoComplete: 'off', value: rpps, onChange: (e) => setRpps(e.target.value) }} />
              <Button type="submit" priority={identity ? 'secondary' : 'primary'} disabled={busy}>Rechercher mon identité</Button>
            </form>
            {identity && (
              <form onSubmit={submit} noValidate className={fr.cx('fr-mt-4w')}>
                <div className={fr.cx('fr-callout', 'fr-mb-3w')} id="identite">
                  <h2 className={fr.cx('fr-callout__title')}>{[identity.given, identity.family].filter(Boolean).join(' ')}</h2>
                  <p className={fr.cx('fr-callout__text')}>{identity.profession.display} — identifiant national {identity.rpps} (Annuaire Santé)</p>
                </div>
                <Input label="Adresse électronique" hintText="Elle sert à vous connecter ; un lien de confirmation y sera envoyé" {...err('email')}
                  nativeInputProps={{ id: 'email', type: 'email', autoComplete: 'email', value: email, onChange: (e) => setEmail(e.target.value) }} />
                <Input label="Mot de passe" hintText="12 caractères au moins" {...err('password')}
                  nativeInputProps={{ id: 'password', type: 'password', autoComplete: 'new-password', value: password, onChange: (e) => setPassword(e.target.value) }} />
                <Input label="Confirmation du mot de passe" {...err('password2')}
                  nativeInputProps={{ id: 'password2', type: 'password', autoComplete: 'new-password', value: password2, onChange: (e) => setPassword2(e.target.value) }} />
                <Button type="submit" disabled={busy}>Créer mon compte</Button>
              </form>
            )}
          </>
        )}
      </div>
    </div>
  );
}
