import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useApi } from '../session.tsx';
import { Item, type Run } from './StructurePage.tsx';
import { STATUS_LABELS, type SpaceHome, type StructureSummary } from './types.ts';
import { useSignedIn } from './useSignedIn.ts';

function StructureList({ items }: { items: StructureSummary[] }) {
  if (!items.length) return <p>Aucune structure.</p>;
  return (
    <ul className="ror-structures">
      {items.map((s) => (
        <li key={s.id} className={fr.cx('fr-mb-1w')}>
          <a href={`/espace/structure/${encodeURIComponent(s.id)}`}>{s.name}</a>
          {' '}<span className={fr.cx('fr-text--sm')}>({s.kind}{s.finess ? ` — FINESS ${s.finess}` : ''})</span>
          {s.status && <> <Badge small severity={s.status === 'a-verifier' ? 'warning' : 'success'}>{STATUS_LABELS[s.status]}</Badge></>}
        </li>
      ))}
    </ul>
  );
}

/** "Mon espace": a referent's structures, an administrator's structure search, a professional's city offers. */
export function EspacePage() {
  const user = useSignedIn();
  const api = useApi();
  const [home, setHome] = useState<SpaceHome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const [found, setFound] = useState<StructureSummary[] | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const load = useCallback(() => {
    api<SpaceHome>('/api/espace').then(({ body }) => setHome(body)).catch((e: Error) => setError(e.message));
  }, [api]);
  useEffect(() => {
    document.title = 'Mon espace — ROR';
    if (user) load();
  }, [user, load]);
  const run: Run = async (label, fn) => {
    try {
      await fn();
      setNotice({ ok: true, text: label });
    } catch (e) {
      setNotice({ ok: false, text: (e as Error).message });
    }
    load();
  };
  useEffect(() => {
    if (home) heading.current?.focus();
  }, [home]);

  const search = async (e: FormEvent) => {
    e.preventDefault();
    try {
      setFound((await api<{ structures: StructureSummary[] }>(`/api/espace/structures?q=${encodeURIComponent(q.trim())}`)).body.structures);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  if (error) return <Alert severity="error" title="Mon espace indisponible" description={error} />;
  if (!user || !home) return <p>Chargement…</p>;
  const admin = home.role === 'national-admin' || home.role === 'regional-admin';
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>Mon espace</h1>
      <p>Connecté(e) : {user.displayName ?? user.email}. Les données non confirmées depuis plus de {home.staleAfterDays} jours sont signalées « à confirmer ».</p>
      <ul className={fr.cx('fr-btns-group', 'fr-btns-group--inline-md')}>
        <li><a className={fr.cx('fr-btn', 'fr-btn--secondary')} href="/espace/signalements">Signalements</a></li>
        {admin && <li><a className={fr.cx('fr-btn', 'fr-btn--secondary')} href="/tableau-de-bord">Tableau de bord</a></li>}
        {admin && <li><a className={fr.cx('fr-btn', 'fr-btn--secondary')} href="/espace/rappels">Rappels de fraîcheur</a></li>}
      </ul>
      {home.role === 'referent' && (
        <section>
          <h2>Mes structures</h2>
          <StructureList items={home.structures ?? []} />
        </section>
      )}
      {admin && (
        <section>
          <h2>Structures {home.role === 'regional-admin' ? `de ma région (${home.regions.join(', ')})` : ''}</h2>
          <form onSubmit={search} className={fr.cx('fr-search-bar', 'fr-mb-3w')} role="search">
            <label className={fr.cx('fr-label')} htmlFor="recherche-structure">Nom ou numéro FINESS</label>
            <input className={fr.cx('fr-input')} id="recherche-structure" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
            <Button type="submit" title="Rechercher">Rechercher</Button>
          </form>
          {found && <StructureList items={found} />}
        </section>
      )}
      {home.role === 'professional' && (
        <section>
          <h2>Mon activité libérale</h2>
          {home.practitioner ? <p>{home.practitioner.name}</p> : <p>Aucun professionnel rattaché à ce compte.</p>}
          <div aria-live="polite" role="status">
            {notice && <Alert severity={notice.ok ? 'success' : 'error'} small description={notice.text} className={fr.cx('fr-mb-2w')} closable onClose={() => setNotice(null)} />}
          </div>
          {(home.offers ?? []).length ? (
            <ul className="ror-tree">{(home.offers ?? []).map((o) => <Item key={o.id} item={o} run={run} />)}</ul>
          ) : <p>Aucune offre de ville. <a href="/inscription">Décrire mon activité</a></p>}
        </section>
      )}
    </>
  );
}
