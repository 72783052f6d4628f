import { useEffect, useState } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useApi } from '../session.tsx';
import { ACTION_LABELS, type VersionEntry } from './types.ts';
import { formatDateTime } from './useSignedIn.ts';

/** The versions of one item (who, when, what) with "Restaurer cette version" on the older ones. */
export function HistoryPanel({ type, id, currentVersion, run }: {
  type: string; id: string; currentVersion: number;
  /** Runs the restore and reports it (success or the server's French message, e.g. a concurrent change). */
  run(label: string, fn: () => Promise<unknown>): Promise<void>;
}) {
  const api = useApi();
  const [versions, setVersions] = useState<VersionEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<{ versions: VersionEntry[] }>(`/api/espace/historique/${type}/${encodeURIComponent(id)}`)
      .then(({ body }) => setVersions(body.versions)).catch((e: Error) => setError(e.message));
  }, [api, type, id, currentVersion]);

  const restore = (versionId: number) =>
    run(`Version ${versionId} restaurée (enregistrée comme nouvelle version)`, () =>
      api('/api/espace/restaurer', { method: 'POST', json: { type, id, versionId, ifMatch: currentVersion } }));

  if (!versions) return error ? <Alert severity="error" small description={error} /> : <p>Chargement de l’historique…</p>;
  return (
    <div className={fr.cx('fr-table', 'fr-table--no-caption', 'fr-mt-1w')}>
      <table>
        <caption>Historique</caption>
        <thead><tr><th>Version</th><th>Date</th><th>Par</th><th>Action</th><th>Modifié</th><th /></tr></thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.versionId}>
              <td>{v.versionId}</td>
              <td>{formatDateTime(v.lastUpdated)}</td>
              <td>{v.actor ?? '—'}{v.source ? ` (${v.source})` : ''}</td>
              <td>{v.deleted ? 'Suppression' : ACTION_LABELS[v.action ?? ''] ?? v.action ?? '—'}</td>
              <td className={fr.cx('fr-text--xs')}>{v.changes.slice(0, 6).map((c) => c.path).join(', ') || '—'}</td>
              <td>
                {v.versionId < currentVersion && !v.deleted && (
                  <Button size="small" priority="tertiary" onClick={() => void restore(v.versionId)} nativeButtonProps={{ id: `restaurer-${id}-${v.versionId}` }}>Restaurer cette version</Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
