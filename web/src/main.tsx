import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startReactDsfr } from '@codegouvfr/react-dsfr/spa';
// The DSFR stylesheet, icons and Marianne fonts, bundled by Vite from node_modules (never a CDN).
import '@codegouvfr/react-dsfr/main.css';
import { Page } from './routes.tsx';
import { SessionProvider } from './session.tsx';
import './app.css';

startReactDsfr({ defaultColorScheme: 'light' });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider>
      <Page pathname={window.location.pathname} />
    </SessionProvider>
  </StrictMode>,
);
