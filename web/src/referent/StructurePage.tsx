import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useApi } from '../session.tsx';
import { HistoryPanel } from './HistoryPanel.tsx';
import { CAPACITY_STATUS_LABELS, CAPACITY_TYPE_LABELS, KIND_LABELS, STATUS_LABELS, type TreeItem } from './types.ts';
import { formatDateTime, formatDay, useSignedIn } from './useSignedIn.ts';

export type Run = (label: string, fn: () => Promise<unknown>) => Promise<void>;

/** Available beds / places of one nature at a place, in a few clicks. */
function CapacityForm({ place, run }: { place: TreeItem; run: Run }) {
  const api = useApi();
  const types = [...new Set((place.capacities ?? []).map((c) => c.type).filter((t) => t in CAPACITY_TYPE_LABELS))];
  const [type, setType] = useState(types[0] ?? '02');
  const current = (place.capacities ?? []).find((c) => c.type === type && c.status === '02' && c.temporality === '01');
  const [count, setCount] = useState(String(current?.count ?? 0));
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(count);
    if (!/^\d+$/.test(count.trim()) || n < 0) {
      setError('Indiquez un nombre entier positif ou nul');
      return;
    }
    setError(null);
    void run(`Capacités de « ${place.name} » mises à jour`, () =>
      api('/api/espace/capacite', { method: 'POST', json: { locationId: place.id, versionId: place.versionId, capacityType: type, status: '02', count: n } }));
  };
  const id = `capacite-${place.id}`;
  return (
    <form onSubmit={submit} className="ror-capacity-form" noValidate>
      <div className={fr.cx('fr-grid-row', 'fr-grid-row--gutters', 'fr-grid-row--bottom')}>
        <div className={fr.cx('fr-col')}>
          <label className={fr.cx('fr-label')} htmlFor={`${id}-type`}>Nature</label>
          <select className={fr.cx('fr-select')} id={`${id}-type`} value={type} onChange={(e) => setType(e.target.value)}>
            {Object.entries(CAPACITY_TYPE_LABELS).map(([code, label]) => <option key={code} value={code}>{label}</option>)}
          </select>
        </div>
        <div className={fr.cx('fr-col', error ? 'fr-input-group--error' : undefined)}>
          <label className={fr.cx('fr-label')} htmlFor={`${id}-nombre`}>Disponibles maintenant</label>
          <input className={fr.cx('fr-input')} id={`${id}-nombre`} inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value)}
            aria-describedby={error ? `${id}-erreur` : undefined} />
          {error && <p className={fr.cx('fr-error-text')} id={`${id}-erreur`}>{error}</p>}
        </div>
        <div className={fr.cx('fr-col')}>
          <Button type="submit" size="small" nativeButtonProps={{ id: `${id}-valider` }}>Mettre à jour</Button>
        </div>
      </div>
    </form>
  );
}

/** Temporary closure with the planned reopening day, or reopening. */
function ClosureForm({ offer, run }: { offer: TreeItem; run: Run }) {
  const api = useApi();
  const [until, setUntil] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = `fermeture-${offer.id}`;
  if (offer.closed) {
    return (
      <Button size="small" priority="secondary" onClick={() => void run(`« ${offer.name} » rouverte`, () =>
        api('/api/espace/fermeture', { method: 'POST', json: { offerId: offer.id, versionId: offer.versionId, until: null } }))}>Rouvrir maintenant</Button>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!until || until <= new Date().toISOString().slice(0, 10)) {
      setError('La date de réouverture prévue doit être après aujourd’hui');
      return;
    }
    setError(null);
    void run(`« ${offer.name} » fermée temporairement`, () =>
      api('/api/espace/fermeture', { method: 'POST', json: { offerId: offer.id, versionId: offer.versionId, until, reason: reason || undefined } }));
  };
  return (
    <details className={fr.cx('fr-mt-1w')}>
      <summary>Fermeture temporaire</summary>
      <form onSubmit={submit} noValidate>
        <div className={fr.cx('fr-input-group', error ? 'fr-input-group--error' : undefined)}>
          <label className={fr.cx('fr-label')} htmlFor={`${id}-date`}>Réouverture prévue le</label>
          <input className={fr.cx('fr-input')} type="date" id={`${id}-date`} value={until} onChange={(e) => setUntil(e.target.value)} />
          {error && <p className={fr.cx('fr-error-text')}>{error}</p>}
        </div>
        <div className={fr.cx('fr-input-group')}>
          <label className={fr.cx('fr-label')} htmlFor={`${id}-motif`}>Motif (facultatif)</label>
          <input className={fr.cx('fr-input')} id={`${id}-motif`} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <Button type="submit" size="small" priority="secondary">Fermer temporairement</Button>
      </form>
    </details>
  );
}

export function Item({ item, run }: { item: TreeItem; run: Run }) {
  const api = useApi();
  const [history, setHistory] = useState(false);
  const todo = [
    ...item.missing.map((m) => `Donnée manquante : ${m}`),
    ...item.deviations.map((d) => `Exigence qualité ${d.rule}${d.reason ? ` : ${d.reason}` : ''}`),
  ];
  return (
    <li className={fr.cx('fr-mb-2w')} id={`element-${item.id}`}>
      <div className={`ror-item ror-item--${item.kind}`}>
        <p className={fr.cx('fr-mb-1v')}>
          <span className={fr.cx('fr-text--sm')}>{KIND_LABELS[item.kind]}</span>{' '}
          <strong>{item.name}</strong>{item.finess && <span className={fr.cx('fr-text--sm')}> — FINESS {item.finess}</span>}
        </p>
        <ul className={fr.cx('fr-badges-group')}>
          <li>
            <Badge small severity={item.status === 'verifie' || item.status === 'finalise' ? 'success' : item.status === 'a-verifier' ? 'warning' : 'info'}>
              {item.status ? STATUS_LABELS[item.status] : 'Sans statut'}
            </Badge>
          </li>
          {item.stale && <li><Badge small severity="warning">À confirmer (données anciennes)</Badge></li>}
          {item.closed && <li><Badge small severity="error">Fermée temporairement{item.closure?.until ? ` jusqu’au ${formatDay(item.closure.until)}` : ''}</Badge></li>}
        </ul>
        <p className={fr.cx('fr-text--xs', 'fr-mb-1v')}>
          Mis à jour le {formatDateTime(item.lastUpdated)}{item.confirmedAt && <> · confirmé le {formatDateTime(item.confirmedAt)}</>}
        </p>
        {todo.length > 0 && (
          <div className="ror-todo">
            <p className={fr.cx('fr-text--sm', 'fr-mb-0')}>À faire :</p>
            <ul className={fr.cx('fr-text--sm')}>{todo.map((t) => <li key={t}>{t}</li>)}</ul>
          </div>
        )}
        {item.capacities && item.capacities.length > 0 && (
          <ul className={fr.cx('fr-text--sm')}>
            {item.capacities.map((c, i) => (
              <li key={i}>{CAPACITY_TYPE_LABELS[c.type] ?? c.type} {CAPACITY_STATUS_LABELS[c.status] ?? c.status} : <strong>{c.count}</strong>{c.updatedAt && <> (au {formatDateTime(c.updatedAt)})</>}</li>
            ))}
          </ul>
        )}
        <ul className={fr.cx('fr-btns-group', 'fr-btns-group--inline-sm', 'fr-btns-group--sm')}>
          <li>
            <Button size="small" nativeButtonProps={{ id: `confirmer-${item.id}` }} onClick={() => void run(`« ${item.name} » confirmé comme exact`, () =>
              api('/api/espace/confirmer', { method: 'POST', json: { type: item.type, id: item.id, versionId: item.versionId } }))}>
              Confirmer comme exact
            </Button>
          </li>
          {item.kind === 'offre' && (
            <li><a className={fr.cx('fr-btn', 'fr-btn--sm', 'fr-btn--secondary')} href={`/espace/offre/${encodeURIComponent(item.id)}/modifier`}>Modifier</a></li>
          )}
          <li><Button size="small" priority="tertiary" onClick={() => setHistory(!history)} nativeButtonProps={{ 'aria-expanded': history }}>Historique</Button></li>
        </ul>
        {item.kind === 'lieu' && <CapacityForm key={item.versionId} place={item} run={run} />}
        {item.kind === 'offre' && <ClosureForm key={item.versionId} offer={item} run={run} />}
        {history && <HistoryPanel type={item.type} id={item.id} currentVersion={item.versionId} run={run} />}
      </div>
      {item.children.length > 0 && <ul className="ror-tree">{item.children.map((c) => <Item key={`${c.type}/${c.id}`} item={c} run={run} />)}</ul>}
    </li>
  );
}

/** A structure's tree: EJ → EG → internal units → offers → places, with the to-do list of each item. */
export function StructurePage({ id }: { id: string }) {
  const user = useSignedIn();
  const api = useApi();
  const [data, setData] = useState<{ tree: TreeItem; parent?: { id: string; name: string }; staleAfterDays: number; qualityComputedAt?: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(() => {
    api<{ tree: TreeItem; parent?: { id: string; name: string }; staleAfterDays: number; qualityComputedAt?: string }>(`/api/espace/structure/${encodeURIComponent(id)}`)
      .then(({ body }) => {
        setData(body);
        document.title = `${body.tree.name} — Mon espace — ROR`;
      })
      .catch((e: Error) => setError(e.message));
  }, [api, id]);
  useEffect(() => {
    if (user) load();
  }, [user, load]);
  useEffect(() => {
    if (data && !notice) heading.current?.focus();
  }, [data, notice]);

  const run: Run = async (label, fn) => {
    try {
      await fn();
      setNotice({ ok: true, text: label });
    } catch (e) {
      setNotice({ ok: false, text: (e as Error).message });
    }
    load();
  };

  if (error) return <Alert severity="error" title="Structure inaccessible" description={error} />;
  if (!user || !data) return <p>Chargement…</p>;
  return (
    <>
      <p className={fr.cx('fr-text--sm')}><a href="/espace">Mon espace</a>{data.parent && <> · rattachée à {data.parent.name}</>}</p>
      <h1 ref={heading} tabIndex={-1}>{data.tree.name}</h1>
      <p>Vérifiez chaque élément pré-rempli depuis FINESS, complétez ce qui manque, puis « Confirmer comme exact ». Les éléments non confirmés depuis plus de {data.staleAfterDays} jours sont à confirmer.</p>
      {data.qualityComputedAt && (
        <p className={fr.cx('fr-text--xs')}>Exigences qualité évaluées sur tout le répertoire le {new Date(data.qualityComputedAt).toLocaleString('fr-FR')} (réévaluées régulièrement) ; les critères de peuplement sont à jour.</p>
      )}
      <div aria-live="polite" role="status">
        {notice && <Alert severity={notice.ok ? 'success' : 'error'} small description={notice.text} className={fr.cx('fr-mb-2w')} closable onClose={() => setNotice(null)} />}
      </div>
      <ul className="ror-tree ror-tree--root"><Item item={data.tree} run={run} /></ul>
    </>
  );
}
