import { useEffect, useRef, useState } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { useSession } from '../session.tsx';
import { postJson } from './registration-api.ts';

/** The link of the confirmation e-mail: activates the account once, signs the professional in. */
export function ConfirmPage() {
  const session = useSession();
  const [state, setState] = useState<{ kind: 'pending' } | { kind: 'done' } | { kind: 'error'; message: string }>({ kind: 'pending' });
  const started = useRef(false);

  useEffect(() => {
    document.title = 'Confirmation de l\'adresse électronique — ROR';
    if (started.current) return; // React strict mode runs effects twice: the token is single use.
    started.current = true;
    const token = new URLSearchParams(window.location.search).get('jeton') ?? '';
    postJson('/api/inscription/confirmer', { token }).then(async (r) => {
      if (r.ok) {
        await session.refresh();
        setState({ kind: 'done' });
      } else setState({ kind: 'error', message: r.problem.error.fr });
    });
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <div className={fr.cx('fr-grid-row', 'fr-grid-row--center')}>
      <div className={fr.cx('fr-col-12', 'fr-col-md-8')}>
        <h1>Confirmation de votre adresse électronique</h1>
        {state.kind === 'pending' && <p role="status">Vérification du lien…</p>}
        {state.kind === 'error' && <Alert severity="error" title="Le lien n'a pas pu être utilisé" description={state.message} role="alert" />}
        {state.kind === 'done' && (
          <>
            <Alert severity="success" title="Votre compte est activé" description="Vous êtes connecté. Décrivez maintenant votre offre : lieux d'exercice, zone d'intervention, savoir-faire." role="status" />
            <p className={fr.cx('fr-mt-3w')}><a className={fr.cx('fr-btn')} href="/inscription/offre" id="decrire-offre">Décrire mon offre</a></p>
          </>
        )}
      </div>
    </div>
  );
}
