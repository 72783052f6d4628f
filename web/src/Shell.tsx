import type { ReactNode } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Footer } from '@codegouvfr/react-dsfr/Footer';
import { Header, type HeaderProps } from '@codegouvfr/react-dsfr/Header';
import { SkipLinks } from '@codegouvfr/react-dsfr/SkipLinks';
import { useSession } from './session.tsx';

/** The quick-access links of the header: the APIs, then signing in or the signed-in person's space. */
function quickAccess(session: ReturnType<typeof useSession>): HeaderProps.QuickAccessItem[] {
  const items: HeaderProps.QuickAccessItem[] = [
    { iconId: 'fr-icon-code-s-slash-line', text: 'API (OpenAPI)', linkProps: { href: '/api/openapi.json' } },
    { iconId: 'fr-icon-database-line', text: 'API FHIR', linkProps: { href: '/fhir/metadata' } },
  ];
  if (session.user) {
    if (session.user.role === 'national-admin' || session.user.role === 'regional-admin') {
      items.push({ iconId: 'fr-icon-line-chart-line', text: 'Tableau de bord', linkProps: { href: '/tableau-de-bord' } });
    }
    items.push({ iconId: 'fr-icon-account-circle-line', text: 'Mon espace', linkProps: { href: '/espace' } });
    items.push({
      iconId: 'fr-icon-logout-box-r-line',
      text: 'Se déconnecter',
      buttonProps: { onClick: () => void session.signOut().then(() => window.location.assign('/')) },
    });
  } else if (session.user === null) {
    items.push({ iconId: 'fr-icon-lock-line', text: 'Se connecter', linkProps: { href: '/connexion' } });
  }
  return items;
}

/** Header, skip links, main region and footer shared by the pages. */
export function Shell({ children }: { children: ReactNode }) {
  const session = useSession();
  return (
    <>
      <SkipLinks links={[{ anchor: '#contenu', label: 'Contenu' }]} />
      <Header
        brandTop={<>République<br />Française</>}
        serviceTitle="ROR — Répertoire de l’offre de santé"
        serviceTagline="Trouver la bonne offre près d’un patient"
        homeLinkProps={{ href: '/', title: 'Accueil — Répertoire de l’offre de santé' }}
        quickAccessItems={quickAccess(session)}
      />
      <main id="contenu" className={fr.cx('fr-container', 'fr-py-4w')} tabIndex={-1}>
        {children}
      </main>
      <Footer
        accessibility="non compliant"
        contentDescription="Répertoire national de l’offre et des ressources en santé et accompagnement médico-social. Données FINESS et nomenclatures NOS."
        bottomItems={[{ text: 'API FHIR', linkProps: { href: '/fhir/metadata' } }, { text: 'API de recherche (OpenAPI)', linkProps: { href: '/api/openapi.json' } }]}
      />
    </>
  );
}
