import { useCallback, useEffect, useState } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import type { AnomalySummary } from '../../../src/anomalies/task.ts';
import { useApi, useSession } from '../session.tsx';

const date = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString('fr-FR') : '—');

/** Where the object of a report is shown. */
const focusLink = (f: AnomalySummary['focus']) => (f.type === 'HealthcareService' ? `/offre/${encodeURIComponent(f.id)}` : `/fhir/${f.type}/${encodeURIComponent(f.id)}`);

/** One report with its status change. */
function ReportItem({ a, statuses, onChanged }: { a: AnomalySummary; statuses: { code: string; display: string }[]; onChanged: () => void }) {
  const api = useApi();
  const [status, setStatus] = useState(a.status?.code ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/anomalies/${encodeURIComponent(a.id)}`, { method: 'PATCH', json: { status } });
      onChanged();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const selectId = `statut-${a.id}`;
  return (
    <li className={fr.cx('fr-card', 'fr-mb-2w', 'fr-p-2w')} id={`signalement-${a.id}`}>
      <h3 className={fr.cx('fr-h6', 'fr-mb-1v')}>
        <a href={focusLink(a.focus)}>{a.focus.name ?? a.focus.reference}</a>
      </h3>
      <p className={fr.cx('fr-mb-1v')}>
        <Badge small noIcon>{a.theme?.display ?? 'Thématique ?'}</Badge>{' '}
        <Badge small noIcon severity="info">{a.action?.display ?? ''}</Badge>{' '}
        <Badge small severity={a.status?.code === '08' ? 'success' : 'new'}>{a.status?.display ?? '—'}</Badge>
      </p>
      {a.description && <p className={fr.cx('fr-mb-1v')}>{a.description}</p>}
      <dl className="ror-detail fr-text--sm">
        {a.path && <div><dt>Élément</dt><dd><code>{a.path}</code></dd></div>}
        {a.proposedValue && <div><dt>Valeur proposée</dt><dd>{a.proposedValue}</dd></div>}
        {a.owner && <div><dt>Structure</dt><dd>{a.owner.name ?? a.owner.reference}</dd></div>}
        <div><dt>Signalé le</dt><dd>{date(a.authoredOn)} par {a.systemRequester ?? '—'}</dd></div>
      </dl>
      <div className="ror-inline-form">
        <div className={fr.cx('fr-select-group')}>
          <label className={fr.cx('fr-label')} htmlFor={selectId}>Statut</label>
          <select id={selectId} className={fr.cx('fr-select')} value={status} onChange={(e) => setStatus(e.target.value)}>
            {!statuses.some((s) => s.code === status) && <option value={status}>{a.status?.display}</option>}
            {statuses.map((s) => <option key={s.code} value={s.code}>{s.display}</option>)}
          </select>
        </div>
        <Button size="small" disabled={busy || status === a.status?.code} onClick={() => void save()}>Enregistrer le statut</Button>
      </div>
      {error && <Alert severity="error" small description={error} />}
    </li>
  );
}

/** `/espace/signalements`: the anomaly reports on the structures of a referent (or the régions of an administrator). */
export function ReportsPage() {
  const { user } = useSession();
  const api = useApi();
  const [filter, setFilter] = useState<'open' | 'all'>('open');
  const [list, setList] = useState<{ anomalies: AnomalySummary[]; statuses: { code: string; display: string }[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    document.title = 'Signalements — ROR';
  }, []);
  const load = useCallback(() => {
    api<{ anomalies: AnomalySummary[]; statuses: { code: string; display: string }[] }>(`/api/anomalies?status=${filter}`)
      .then(({ body }) => setList(body))
      .catch((e: Error) => setError(e.message));
  }, [api, filter]);
  useEffect(() => {
    if (user) load();
  }, [user, load]);

  if (user === undefined) return <p>Chargement…</p>;
  if (user === null) {
    return (
      <>
        <h1>Signalements</h1>
        <Alert severity="info" title="Connexion requise" description={<>Connectez-vous pour suivre les signalements de vos structures. <a href="/connexion?retour=/espace/signalements">Se connecter</a></>} />
      </>
    );
  }
  return (
    <>
      <p className={fr.cx('fr-mb-2w')}><a className={fr.cx('fr-link', 'fr-icon-arrow-left-line', 'fr-link--icon-left')} href="/espace">Mon espace</a></p>
      <h1>Signalements d’erreurs</h1>
      <p>Les erreurs signalées par les utilisateurs et les applications sur les données de vos structures. Corrigez la donnée, puis indiquez le statut.</p>
      <fieldset className={fr.cx('fr-fieldset')}>
        <legend className={fr.cx('fr-fieldset__legend', 'fr-text--regular')}>Afficher</legend>
        {(['open', 'all'] as const).map((f) => (
          <div key={f} className={fr.cx('fr-fieldset__element', 'fr-fieldset__element--inline')}>
            <div className={fr.cx('fr-radio-group')}>
              <input type="radio" id={`filtre-${f}`} name="filtre" checked={filter === f} onChange={() => setFilter(f)} />
              <label className={fr.cx('fr-label')} htmlFor={`filtre-${f}`}>{f === 'open' ? 'À traiter' : 'Tous'}</label>
            </div>
          </div>
        ))}
      </fieldset>
      <div role="status">{notice && <Alert severity="success" small description={notice} />}</div>
      {error && <Alert severity="error" title="Signalements indisponibles" description={error} />}
      {!list && !error && <p>Chargement…</p>}
      {list && list.anomalies.length === 0 && <p>Aucun signalement {filter === 'open' ? 'à traiter' : ''}.</p>}
      {list && list.anomalies.length > 0 && (
        <ul className="ror-results" aria-label="Signalements">
          {list.anomalies.map((a) => (
            <ReportItem key={`${a.id}-${a.lastModified}`} a={a} statuses={list.statuses} onChanged={() => { setNotice('Statut enregistré.'); load(); }} />
          ))}
        </ul>
      )}
    </>
  );
}
