import type { ReactNode } from 'react';
import { App } from './App.tsx';
import { LoginPage } from './LoginPage.tsx';
import { OfferPage } from './OfferPage.tsx';
import { Shell } from './Shell.tsx';
import { EditResourcePage } from './forms/EditResourcePage.tsx';
import { CityOfferPage } from './registration/CityOfferPage.tsx';
import { ConfirmPage } from './registration/ConfirmPage.tsx';
import { RegistrationPage } from './registration/RegistrationPage.tsx';
import { DashboardPage } from './dashboard/DashboardPage.tsx';
import { ReportsPage } from './anomalies/ReportsPage.tsx';
import { PasswordResetPage } from './PasswordResetPage.tsx';
import { EspacePage } from './referent/EspacePage.tsx';
import { RemindersPage } from './referent/RemindersPage.tsx';
import { StructurePage } from './referent/StructurePage.tsx';

/**
 * The pages by address. Each page adds one line here; `render` receives the path's match.
 * Pages that need a signed-in person check it themselves (useSession) and send to /connexion.
 */
interface Route {
  path: RegExp;
  render(m: RegExpMatchArray): ReactNode;
}

const ROUTES: Route[] = [
  { path: /^\/offre\/([^/]+)\/?$/, render: (m) => <Shell><OfferPage id={decodeURIComponent(m[1])} /></Shell> },
  { path: /^\/connexion\/?$/, render: () => <Shell><LoginPage /></Shell> },
  { path: /^\/tableau-de-bord\/?$/, render: () => <Shell><DashboardPage /></Shell> },
  { path: /^\/espace\/signalements\/?$/, render: () => <Shell><ReportsPage /></Shell> },
  { path: /^\/mot-de-passe-oublie\/?$/, render: () => <Shell><PasswordResetPage /></Shell> },
  { path: /^\/espace\/?$/, render: () => <Shell><EspacePage /></Shell> },
  { path: /^\/espace\/structure\/([^/]+)\/?$/, render: (m) => <Shell><StructurePage id={decodeURIComponent(m[1])} /></Shell> },
  { path: /^\/espace\/rappels\/?$/, render: () => <Shell><RemindersPage /></Shell> },
  { path: /^\/inscription\/?$/, render: () => <Shell><RegistrationPage /></Shell> },
  { path: /^\/inscription\/confirmer\/?$/, render: () => <Shell><ConfirmPage /></Shell> },
  { path: /^\/inscription\/offre\/?$/, render: () => <Shell><CityOfferPage /></Shell> },
  { path: /^\/espace\/offre\/([^/]+)\/modifier\/?$/, render: (m) => <Shell><EditResourcePage type="HealthcareService" id={decodeURIComponent(m[1])} /></Shell> },
  { path: /^\/espace\/structure\/([^/]+)\/modifier\/?$/, render: (m) => <Shell><EditResourcePage type="Organization" id={decodeURIComponent(m[1])} /></Shell> },
  { path: /^\/espace\/lieu\/([^/]+)\/modifier\/?$/, render: (m) => <Shell><EditResourcePage type="Location" id={decodeURIComponent(m[1])} /></Shell> },
];

/** The page for the address: a route of the table, else the coordinators' search. */
export function Page({ pathname }: { pathname: string }) {
  for (const r of ROUTES) {
    const m = pathname.match(r.path);
    if (m) return <>{r.render(m)}</>;
  }
  return <App />;
}
