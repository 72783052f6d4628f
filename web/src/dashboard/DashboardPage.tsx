import { useEffect, useMemo, useRef, useState } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { useApi, useSession, type SessionUser } from '../session.tsx';
import { RateMap } from './RateMap.tsx';
import { SectorBars, SectorTrend } from './SectorCharts.tsx';
import { OVERSEAS_REGIONS, pct, type Deviation, type PopulationRow, type QualityRow, type SegurLine, type TrendPoint } from './types.ts';

interface Data {
  byArea: PopulationRow[];
  bySector: PopulationRow[];
  trend: TrendPoint[];
  segur: SegurLine[];
  quality: QualityRow[];
  deviations: Deviation[];
  referenceDate: string | null;
}

const DEVIATION_LIMIT = 100;

/** Where an écart's object is shown: the offer page, the FHIR resource, or the FINESS number's sites. */
function objectLink(d: Deviation): string {
  const id = d.objectId.split('|')[0];
  if (d.objectType === 'HealthcareService') return `/offre/${encodeURIComponent(id)}`;
  if (d.objectType === 'Organization') return `/fhir/Organization/${encodeURIComponent(id)}`;
  return `/fhir/Organization?identifier=${encodeURIComponent(`https://finess.esante.gouv.fr|${d.finess ?? id}`)}`;
}

const isAdmin = (u: SessionUser) => u.role === 'national-admin' || u.role === 'regional-admin';

/** The indicators dashboard of national and regional administrators: map, sectors, trends, SEGUR, écarts, exports. */
export function DashboardPage() {
  const { user } = useSession();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = 'Tableau de bord des indicateurs — ROR';
  }, []);

  if (user === undefined) return <p>Chargement…</p>;
  if (user === null) {
    return (
      <>
        <h1 ref={heading} tabIndex={-1}>Tableau de bord des indicateurs</h1>
        <Alert severity="info" title="Connexion requise"
          description={<>Le tableau de bord est réservé aux administrateurs nationaux et régionaux. <a href="/connexion?retour=/tableau-de-bord">Se connecter</a></>} />
      </>
    );
  }
  if (!isAdmin(user)) {
    return (
      <>
        <h1 ref={heading} tabIndex={-1}>Tableau de bord des indicateurs</h1>
        <Alert severity="warning" title="Accès réservé"
          description="Le tableau de bord des indicateurs est réservé aux administrateurs nationaux et régionaux (ARS, GRADeS). Les référents trouvent le reste à faire de leur structure dans leur espace." />
      </>
    );
  }
  return <Dashboard user={user} />;
}

function Dashboard({ user }: { user: SessionUser }) {
  const api = useApi();
  const national = user.role === 'national-admin';
  const [region, setRegion] = useState<string>(national ? '' : user.regions[0] ?? '');
  const [grain, setGrain] = useState<'region' | 'departement'>(national ? 'region' : 'departement');
  // Live figures re-read the whole ROR (minutes at national scale, bench/RESULTS.md); the weekly snapshot is instant.
  const [source, setSource] = useState<'live' | 'snapshot'>('live');
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [outlines, setOutlines] = useState<{ region: GeoJSON.FeatureCollection | null; departement: GeoJSON.FeatureCollection | null }>({ region: null, departement: null });

  useEffect(() => {
    const geo = (p: string) => fetch(p).then((r) => (r.ok ? (r.json() as Promise<GeoJSON.FeatureCollection>) : null)).catch(() => null);
    void Promise.all([geo('/api/geo/regions'), geo('/api/geo/departements')]).then(([r, d]) => setOutlines({ region: r, departement: d }));
  }, []);

  // Names of régions and départements from the outline files (the overseas régions are not on them).
  const names = useMemo(() => {
    const m = new Map<string, string>(Object.entries(OVERSEAS_REGIONS));
    for (const f of outlines.region?.features ?? []) m.set(`r${f.properties?.code}`, String(f.properties?.nom));
    for (const f of outlines.departement?.features ?? []) m.set(`d${f.properties?.code}`, String(f.properties?.nom));
    return m;
  }, [outlines]);
  const regionName = (c: string) => names.get(`r${c}`) ?? OVERSEAS_REGIONS[c] ?? (c === '00' ? 'France entière' : `Région ${c}`);
  const depName = (c: string) => names.get(`d${c}`) ?? c;

  useEffect(() => {
    setData(null);
    setError(null);
    const q = (extra: Record<string, string>) => new URLSearchParams({ ...(region ? { region } : {}), ...extra }).toString();
    const areaBy = grain === 'region' ? 'region' : 'region,departement';
    Promise.all([
      api<{ rows: PopulationRow[]; referenceDate: string | null }>(`/api/indicators?${q({ by: areaBy, source })}`),
      api<{ rows: PopulationRow[] }>(`/api/indicators?${q({ by: 'field', source })}`),
      api<{ points: TrendPoint[] }>(`/api/indicators/trend?${q({ by: 'field' })}`),
      api<{ lines: SegurLine[] }>(`/api/indicators/segur?${q({})}`),
      api<{ rows: QualityRow[] }>(`/api/indicators?${q({ type: 'quality', by: 'rule', source })}`),
      api<{ deviations: Deviation[] }>(`/api/indicators/deviations?${q({ limit: String(DEVIATION_LIMIT) })}`),
    ])
      .then(([area, sector, trend, segur, quality, dev]) => setData({
        byArea: area.body.rows, bySector: sector.body.rows, trend: trend.body.points, segur: segur.body.lines,
        quality: quality.body.rows, deviations: dev.body.deviations, referenceDate: area.body.referenceDate,
      }))
      .catch((e: Error) => setError(e.message));
  }, [api, region, grain, source]);

  const regionChoices = national
    ? ['', ...[...new Set([...(outlines.region?.features ?? []).map((f) => String(f.properties?.code)), ...Object.keys(OVERSEAS_REGIONS)])].sort()]
    : user.regions;
  const rates = useMemo(() => new Map((data?.byArea ?? []).map((r) => [String(grain === 'region' ? r.region : r.departement), r.rate])), [data, grain]);
  const depsOfRegion = useMemo(() => (grain === 'departement' && region ? new Set((data?.byArea ?? []).map((r) => String(r.departement))) : undefined), [data, grain, region]);
  const total = (data?.byArea ?? []).reduce((s, r) => ({ p: s.p + r.perimeterCount, f: s.f + r.finalised }), { p: 0, f: 0 });
  const scope = region ? regionName(region) : 'France entière';
  const exportQuery = region ? `region=${region}&` : '';

  return (
    <>
      <h1 tabIndex={-1}>Tableau de bord des indicateurs</h1>
      <p className={fr.cx('fr-text--lead')}>
        Peuplement et qualité du ROR — {scope}
        {data?.referenceDate && source === 'snapshot' && <> · instantané au {new Date(`${data.referenceDate}T00:00:00`).toLocaleDateString('fr-FR')}</>}
        {data && <> · taux de peuplement {pct(total.p ? total.f / total.p : 0)} ({total.f.toLocaleString('fr-FR')} / {total.p.toLocaleString('fr-FR')} établissements × champs finalisés)</>}
      </p>

      <form className="ror-dashboard-filters" onSubmit={(e) => e.preventDefault()}>
        <div className={fr.cx('fr-select-group')}>
          <label className={fr.cx('fr-label')} htmlFor="tdb-region">Région</label>
          <select id="tdb-region" className={fr.cx('fr-select')} value={region} onChange={(e) => setRegion(e.target.value)}>
            {regionChoices.map((c) => <option key={c} value={c}>{c ? `${regionName(c)} (${c})` : 'France entière'}</option>)}
          </select>
        </div>
        <fieldset className={fr.cx('fr-fieldset')}>
          <legend className={fr.cx('fr-fieldset__legend', 'fr-text--regular')}>Maille de la carte</legend>
          {(['region', 'departement'] as const).map((g) => (
            <div key={g} className={fr.cx('fr-fieldset__element', 'fr-fieldset__element--inline')}>
              <div className={fr.cx('fr-radio-group')}>
                <input type="radio" id={`tdb-maille-${g}`} name="maille" checked={grain === g} onChange={() => setGrain(g)} />
                <label className={fr.cx('fr-label')} htmlFor={`tdb-maille-${g}`}>{g === 'region' ? 'Régions' : 'Départements'}</label>
              </div>
            </div>
          ))}
        </fieldset>
        <fieldset className={fr.cx('fr-fieldset')}>
          <legend className={fr.cx('fr-fieldset__legend', 'fr-text--regular')}>Chiffres</legend>
          {(['live', 'snapshot'] as const).map((x) => (
            <div key={x} className={fr.cx('fr-fieldset__element', 'fr-fieldset__element--inline')}>
              <div className={fr.cx('fr-radio-group')}>
                <input type="radio" id={`tdb-source-${x}`} name="source" checked={source === x} onChange={() => setSource(x)} />
                <label className={fr.cx('fr-label')} htmlFor={`tdb-source-${x}`}>{x === 'live' ? 'Calculés maintenant' : 'Derniers instantanés'}</label>
              </div>
            </div>
          ))}
        </fieldset>
      </form>

      {error && <Alert severity="error" title="Indicateurs indisponibles" description={error} />}
      {!data && !error && <p role="status">Calcul des indicateurs…</p>}
      {data && (
        <>
          <section aria-labelledby="tdb-carte">
            <h2 id="tdb-carte" className={fr.cx('fr-h4', 'fr-mt-4w')}>Taux de peuplement par {grain === 'region' ? 'région' : 'département'}</h2>
            <div className="ror-dashboard-grid">
              <RateMap outlines={grain === 'region' ? outlines.region : outlines.departement} rates={rates} only={depsOfRegion}
                label={`Carte du taux de peuplement par ${grain === 'region' ? 'région' : 'département'} (${scope})`} />
              <div className={fr.cx('fr-table', 'fr-table--no-caption')}>
                <table id="tdb-table-zones">
                  <caption>Taux de peuplement par {grain === 'region' ? 'région' : 'département'}</caption>
                  <thead><tr><th scope="col">{grain === 'region' ? 'Région' : 'Département'}</th><th scope="col">Périmètre</th><th scope="col">Finalisés</th><th scope="col">Taux</th></tr></thead>
                  <tbody>
                    {data.byArea.map((r) => (
                      <tr key={`${r.region}-${r.departement ?? ''}`}>
                        <th scope="row">{grain === 'region' ? regionName(String(r.region)) : `${depName(String(r.departement))} (${r.departement})`}</th>
                        <td>{r.perimeterCount}</td><td>{r.finalised}</td><td>{pct(r.rate)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          </section>

          <section aria-labelledby="tdb-secteurs">
            <h2 id="tdb-secteurs" className={fr.cx('fr-h4', 'fr-mt-4w')}>Taux par secteur</h2>
            <div className="ror-dashboard-grid">
              <SectorBars rows={data.bySector} />
              <div className={fr.cx('fr-table', 'fr-table--no-caption')}>
                <table id="tdb-table-secteurs">
                  <caption>Taux de peuplement par secteur</caption>
                  <thead><tr><th scope="col">Secteur</th><th scope="col">Périmètre</th><th scope="col">Finalisés</th><th scope="col">En cours</th><th scope="col">Taux</th></tr></thead>
                  <tbody>
                    {data.bySector.map((r) => (
                      <tr key={r.field}><th scope="row">{r.field}</th><td>{r.perimeterCount}</td><td>{r.finalised}</td><td>{r.inProgress}</td><td>{pct(r.rate)}</td></tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
            <h3 className={fr.cx('fr-h6', 'fr-mt-2w')}>Évolution (instantanés trimestriels)</h3>
            {data.trend.length === 0
              ? <p>Aucun instantané enregistré : la commande <code>ror indicators --snapshot</code> (hebdomadaire) les constitue.</p>
              : <SectorTrend points={data.trend} />}
          </section>

          <section aria-labelledby="tdb-segur">
            <h2 id="tdb-segur" className={fr.cx('fr-h4', 'fr-mt-4w')}>Objectifs SEGUR (2.3d) et reste à faire</h2>
            <div className={fr.cx('fr-table', 'fr-table--no-caption')}>
              <table id="tdb-table-segur">
                <caption>Objectifs SEGUR de peuplement par région et champ</caption>
                <thead><tr><th scope="col">Région</th><th scope="col">Indicateur</th><th scope="col">Référence (30/06/2023)</th><th scope="col">Objectif</th><th scope="col">Taux actuel</th><th scope="col">Reste à faire</th></tr></thead>
                <tbody>
                  {data.segur.map((l) => (
                    <tr key={`${l.region}-${l.indicator}`}>
                      <th scope="row">{regionName(l.region)}</th><td>{l.indicator}</td><td>{pct(l.baseline?.rate)}</td><td>{pct(l.objective)}</td>
                      <td>{l.current ? pct(l.current.rate) : 'non publié'}</td>
                      <td>{l.remaining === null ? '—' : l.remaining <= 0 ? 'Objectif atteint' : `${l.remaining.toLocaleString('fr-FR')} à finaliser`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <section aria-labelledby="tdb-ecarts">
            <h2 id="tdb-ecarts" className={fr.cx('fr-h4', 'fr-mt-4w')}>Exigences qualité et écarts</h2>
            <div className={fr.cx('fr-table', 'fr-table--no-caption')}>
              <table id="tdb-table-qualite">
                <caption>Conformité par exigence</caption>
                <thead><tr><th scope="col">Exigence</th><th scope="col">Périmètre</th><th scope="col">Écarts</th><th scope="col">Conformité</th></tr></thead>
                <tbody>
                  {data.quality.map((q) => <tr key={q.rule}><th scope="row">{q.rule}</th><td>{q.perimeterCount}</td><td>{q.deviations}</td><td>{pct(q.conformity)}</td></tr>)}
                </tbody>
              </table>
            </div>
            <h3 className={fr.cx('fr-h6')}>Écarts{data.deviations.length === DEVIATION_LIMIT ? ` (les ${DEVIATION_LIMIT} premiers ; la liste complète est dans les exports)` : ''}</h3>
            <div className={fr.cx('fr-table', 'fr-table--no-caption')}>
              <table id="tdb-table-ecarts">
                <caption>Liste des écarts</caption>
                <thead><tr><th scope="col">Exigence</th><th scope="col">Objet</th><th scope="col">FINESS</th><th scope="col">Département</th><th scope="col">Motif</th></tr></thead>
                <tbody>
                  {data.deviations.map((d, i) => (
                    <tr key={`${d.rule}-${d.objectId}-${i}`}>
                      <td>{d.rule}</td><td><a href={objectLink(d)}>{d.objectId}</a></td><td>{d.finess ?? '—'}</td><td>{d.departement}</td><td>{d.reason ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <section aria-labelledby="tdb-exports">
            <h2 id="tdb-exports" className={fr.cx('fr-h4', 'fr-mt-4w')}>Exporter</h2>
            <ul className={fr.cx('fr-btns-group', 'fr-btns-group--inline-md', 'fr-btns-group--icon-left')}>
              <li><a className={fr.cx('fr-btn', 'fr-icon-download-line')} href={`/api/indicators/workbook?${exportQuery}`} download>Tableau de bord (XLSX)</a></li>
              <li><a className={fr.cx('fr-btn', 'fr-btn--secondary', 'fr-icon-download-line')} href={`/api/indicators?${exportQuery}by=region,departement,field&format=csv`} download>Peuplement (CSV)</a></li>
              <li><a className={fr.cx('fr-btn', 'fr-btn--secondary', 'fr-icon-download-line')} href={`/api/indicators?${exportQuery}by=region,departement,field&format=xlsx`} download>Peuplement (XLSX)</a></li>
              <li><a className={fr.cx('fr-btn', 'fr-btn--secondary', 'fr-icon-download-line')} href={`/api/indicators/deviations?${exportQuery}limit=10000&format=csv`} download>Écarts (CSV)</a></li>
              <li><a className={fr.cx('fr-btn', 'fr-btn--secondary', 'fr-icon-download-line')} href={`/api/indicators/deviations?${exportQuery}limit=10000&format=xlsx`} download>Écarts (XLSX)</a></li>
            </ul>
          </section>
        </>
      )}
    </>
  );
}
