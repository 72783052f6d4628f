import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import {
  fetchAddresses, fetchCommunes, fetchConfig, fetchMyPlaces, fetchNeedConcepts, NEED_VALUE_SETS, search,
  type Commune, type LocatedAddress, type MyPlace, type NeedConcept, type SearchResponse, type WebConfig,
} from './api.ts';
import { Combobox } from './Combobox.tsx';
import { Filters, type FilterState, EMPTY_FILTERS } from './Filters.tsx';
import { RADII } from './labels.ts';
import { ResultsList } from './ResultsList.tsx';
import { ResultsMap } from './ResultsMap.tsx';
import { Shell } from './Shell.tsx';
import { useSession } from './session.tsx';

/** Debounced autocomplete: the latest answer for the latest text, earlier requests aborted. */
function useSuggestions<T>(text: string, fetcher: (q: string, s: AbortSignal) => Promise<T[] | null>, minLength: number) {
  const [items, setItems] = useState<T[]>([]);
  const [unavailable, setUnavailable] = useState(false);
  useEffect(() => {
    const q = text.trim();
    if (q.length < minLength) {
      setItems([]);
      return;
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      fetcher(q, ctl.signal)
        .then((r) => {
          setUnavailable(r === null);
          setItems(r ?? []);
        })
        .catch(() => undefined);
    }, 150);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [text]); // eslint-disable-line react-hooks/exhaustive-deps
  return { items, unavailable };
}

/** What the place box offers: communes, and, for what looks like a street address, the places of that address. */
type PlaceOption = { kind: 'commune'; commune: Commune } | { kind: 'address'; address: LocatedAddress };

/** A number and a word, e.g. « 12 rue de la République 78520 Limay »: worth placing as an address. */
const looksLikeAddress = (q: string) => /\d/.test(q) && /\p{L}{3,}/u.test(q) && /\s/.test(q.trim());

async function fetchPlaces(q: string, signal: AbortSignal): Promise<PlaceOption[]> {
  const [addresses, communes] = await Promise.all([
    looksLikeAddress(q) ? fetchAddresses(q, signal).catch(() => []) : Promise.resolve([]),
    fetchCommunes(q, signal),
  ]);
  return [
    ...addresses.map((address): PlaceOption => ({ kind: 'address', address })),
    ...communes.map((commune): PlaceOption => ({ kind: 'commune', commune })),
  ];
}

const communeLabel = (c: Commune) => `${c.name} (${c.postcodes[0] ?? c.departement})`;

/** Where distances start from when it is not the commune's centre: a site of one's structure, or an address. */
type Origin = MyPlace & { kind?: 'address' };

const needLabel = (p: NeedConcept['param']) => NEED_VALUE_SETS.find((v) => v.param === p)?.label ?? '';

export function App() {
  const [config, setConfig] = useState<WebConfig | null>(null);
  const [needText, setNeedText] = useState('');
  const [need, setNeed] = useState<NeedConcept | null>(null);
  const [placeText, setPlaceText] = useState('');
  const [commune, setCommune] = useState<Commune | null>(null);
  // "Ma structure": the position of a site of the signed-in person's structures (distances start there).
  const [origin, setOrigin] = useState<Origin | null>(null);
  const [placeNote, setPlaceNote] = useState<string | undefined>();
  const [myPlaces, setMyPlaces] = useState<MyPlace[]>([]);
  const { user } = useSession();
  const [radius, setRadius] = useState(10);
  const [filters, setFilters] = useState<FilterState>(EMPTY_FILTERS);
  const [response, setResponse] = useState<SearchResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [placeError, setPlaceError] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const resultsHeading = useRef<HTMLHeadingElement>(null);
  const searched = useRef(false);

  useEffect(() => {
    if (!user?.organizations.length) return setMyPlaces([]);
    fetchMyPlaces().then(setMyPlaces).catch(() => setMyPlaces([]));
  }, [user]);

  const pickMyPlace = async (p: MyPlace) => {
    const c = p.commune ? (await fetchCommunes(p.commune).catch(() => [])).find((x) => x.code === p.commune) : undefined;
    if (!c) return setPlaceError('La commune de votre structure est inconnue : choisissez une commune dans la liste.');
    setCommune(c);
    setOrigin(p);
    setPlaceText(`Ma structure : ${p.name}`);
    setPlaceError(undefined);
    setPlaceNote(undefined);
  };

  useEffect(() => {
    fetchConfig().then(setConfig).catch(() => setConfig({ tileUrl: null, tileAttribution: null, version: '' }));
  }, []);

  // A search given in the address (shared link, reload): restore the form, then run it.
  const [restoring, setRestoring] = useState(() => new URLSearchParams(window.location.search).has('commune'));
  useEffect(() => {
    if (!restoring) return;
    const u = new URLSearchParams(window.location.search);
    const code = u.get('commune')!;
    fetchCommunes(code)
      .then((list) => {
        const c = list.find((x) => x.code === code);
        if (!c) return setRestoring(false);
        setCommune(c);
        setPlaceText(communeLabel(c));
        // A search from "Ma structure" or from an address keeps its position in the address bar.
        const lat = Number(u.get('lat')), lon = Number(u.get('lon'));
        if (u.get('lat') && u.get('lon') && Number.isFinite(lat) && Number.isFinite(lon)) {
          const address = u.get('adresse');
          const name = address ?? u.get('lieu') ?? 'position indiquée';
          setOrigin({ locationId: '', organizationId: '', name, lat, lon, commune: c.code, ...(address ? { kind: 'address' as const } : {}) });
          setPlaceText(address ?? `Ma structure : ${name}`);
        }
        const radiusParam = Number(u.get('radius'));
        if (RADII.includes(radiusParam)) setRadius(radiusParam);
        const coded = NEED_VALUE_SETS.find((v) => u.get(v.param) && v.param !== 'careMode' && v.param !== 'public');
        if (coded && u.get('besoin')) {
          setNeed({ param: coded.param, code: u.get(coded.param)!, display: u.get('besoin')! });
          setNeedText(u.get('besoin')!);
        } else if (u.get('q')) setNeedText(u.get('q')!);
        setFilters({
          fields: (u.get('field') ?? '').split(',').filter(Boolean),
          careMode: u.get('careMode') ?? '',
          publicType: u.get('public') ?? '',
          age: u.get('age') ?? '',
          homeVisit: u.get('homeVisit') === 'true',
          available: u.get('available') === 'true',
        });
      })
      .catch(() => setRestoring(false));
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const needs = useSuggestions<NeedConcept>(need ? '' : needText, fetchNeedConcepts, 2);
  const places = useSuggestions<PlaceOption>(commune ? '' : placeText, fetchPlaces, 2);

  const run = useCallback(async (focusResults: boolean) => {
    if (!commune) {
      setPlaceError('Choisissez un lieu dans la liste (commune, code postal ou adresse).');
      return;
    }
    setPlaceError(undefined);
    const p = new URLSearchParams({ commune: commune.code, radius: String(radius) });
    if (origin) {
      p.set('lat', String(origin.lat));
      p.set('lon', String(origin.lon));
    }
    if (need) p.set(need.param, need.code);
    else if (needText.trim()) p.set('q', needText.trim());
    if (filters.fields.length) p.set('field', filters.fields.join(','));
    if (filters.careMode) p.set('careMode', need?.param === 'careMode' ? `${need.code},${filters.careMode}` : filters.careMode);
    if (filters.publicType) p.set('public', filters.publicType);
    if (filters.age !== '') p.set('age', filters.age);
    if (filters.homeVisit) p.set('homeVisit', 'true');
    if (filters.available) p.set('available', 'true');
    setLoading(true);
    setError(null);
    try {
      const r = await search(p);
      setResponse(r);
      // The search is in the address: it can be bookmarked, shared or reloaded.
      const shown = new URLSearchParams(p);
      if (need) shown.set('besoin', need.display);
      if (origin) shown.set(origin.kind === 'address' ? 'adresse' : 'lieu', origin.name);
      window.history.replaceState(null, '', `?${shown.toString()}`);
      searched.current = true;
      if (focusResults) setTimeout(() => resultsHeading.current?.focus(), 0);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [commune, origin, radius, need, needText, filters]);

  // Filters apply at once after a first search.
  useEffect(() => {
    if (searched.current) void run(false);
  }, [filters, radius]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (restoring && commune) {
      setRestoring(false);
      void run(false);
    }
  }, [restoring, commune, run]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(true);
  };

  return (
    <Shell>
        <h1 className={fr.cx('fr-h2')}>Trouver une offre de santé près d’un patient</h1>
        <form id="recherche" role="search" aria-label="Recherche d’offres" onSubmit={submit} noValidate>
          <div className={fr.cx('fr-grid-row', 'fr-grid-row--gutters')}>
            <div className={fr.cx('fr-col-12', 'fr-col-md-5')}>
              <Combobox<NeedConcept>
                label="Besoin"
                hint="Activité, profession, mode de prise en charge, public… (ex. kinésithérapie)"
                inputId="besoin"
                value={needText}
                onValueChange={(t) => {
                  setNeedText(t);
                  setNeed(null);
                }}
                options={needs.items}
                optionKey={(o) => `${o.param}|${o.code}`}
                renderOption={(o) => <><span>{o.display}</span> <span className="ror-option-kind">{needLabel(o.param)}{o.synonym ? ` · « ${o.synonym} »` : ''}</span></>}
                onSelect={(o) => {
                  setNeed(o);
                  setNeedText(o.display);
                }}
                statusText={needs.unavailable ? 'Suggestions indisponibles : la recherche porte sur le texte saisi.' : needs.items.length ? `${needs.items.length} suggestions` : ''}
              />
            </div>
            <div className={fr.cx('fr-col-12', 'fr-col-md-4')}>
              <Combobox<PlaceOption>
                label="Lieu du patient"
                hint="Commune, code postal ou adresse"
                inputId="commune"
                value={placeText}
                onValueChange={(t) => {
                  setPlaceText(t);
                  setCommune(null);
                  setOrigin(null);
                  setPlaceNote(undefined);
                }}
                options={places.items}
                optionKey={(o) => (o.kind === 'commune' ? o.commune.code : `adresse|${o.address.label}|${o.address.lat}|${o.address.lon}`)}
                renderOption={(o) => (o.kind === 'commune'
                  ? <><span>{o.commune.name}</span> <span className="ror-option-kind">{o.commune.postcodes[0] ?? o.commune.departement}</span></>
                  : <><span>{o.address.label}</span> <span className="ror-option-kind">{o.address.precision === 'adresse' ? 'adresse' : `commune de l’adresse : ${o.address.commune.name}`}</span></>)}
                onSelect={(o) => {
                  setPlaceError(undefined);
                  if (o.kind === 'commune') {
                    setCommune(o.commune);
                    setOrigin(null);
                    setPlaceNote(undefined);
                    setPlaceText(communeLabel(o.commune));
                    return;
                  }
                  const a = o.address;
                  setCommune(a.commune);
                  if (a.precision === 'adresse') {
                    setOrigin({ kind: 'address', locationId: '', organizationId: '', name: a.label, lat: a.lat, lon: a.lon, commune: a.commune.code });
                    setPlaceText(a.label);
                    setPlaceNote(undefined);
                  } else {
                    // Without a geocoder (or when it does not know the street): the commune's centre, said so.
                    setOrigin(null);
                    setPlaceText(communeLabel(a.commune));
                    setPlaceNote(`Adresse non localisée précisément : distances comptées depuis le centre de ${a.commune.name}.`);
                  }
                }}
                statusText={places.items.length ? `${places.items.length} lieux proposés` : ''}
                errorText={placeError}
              />
              {placeNote && <p className={fr.cx('fr-info-text')} id="lieu-note">{placeNote}</p>}
              {myPlaces.slice(0, 3).map((mp) => (
                <Button key={mp.locationId} type="button" size="small" priority="tertiary" iconId="fr-icon-building-line"
                  className={fr.cx('fr-mt-1v')} onClick={() => void pickMyPlace(mp)}
                  nativeButtonProps={{ 'aria-label': `Ma structure comme lieu : ${mp.name}` }}>
                  Ma structure{myPlaces.length > 1 ? ` : ${mp.name}` : ''}
                </Button>
              ))}
            </div>
            <div className={fr.cx('fr-col-6', 'fr-col-md-1')}>
              <div className={fr.cx('fr-select-group')}>
                <label className={fr.cx('fr-label')} htmlFor="rayon">Rayon</label>
                <select id="rayon" className={fr.cx('fr-select')} value={radius} onChange={(e) => setRadius(Number(e.target.value))}>
                  {RADII.map((r) => <option key={r} value={r}>{r} km</option>)}
                </select>
              </div>
            </div>
            <div className={fr.cx('fr-col-6', 'fr-col-md-2')} style={{ display: 'flex', alignItems: 'flex-end', paddingBottom: '1.5rem' }}>
              <Button type="submit" iconId="fr-icon-search-line" disabled={loading}>Rechercher</Button>
            </div>
          </div>
        </form>

        <div className={fr.cx('fr-grid-row', 'fr-grid-row--gutters', 'fr-mt-2w')}>
          <div className={fr.cx('fr-col-12', 'fr-col-lg-3')}>
            <Filters value={filters} onChange={setFilters} facets={response?.facets ?? null} />
          </div>
          <section id="resultats" className={fr.cx('fr-col-12', 'fr-col-lg-5')} aria-labelledby="titre-resultats">
            <h2 id="titre-resultats" ref={resultsHeading} tabIndex={-1} className={fr.cx('fr-h4')}>
              {response
                ? `${response.total} résultat${response.total > 1 ? 's' : ''} à moins de ${response.radiusKm} km${response.place.commune ? ` de ${response.place.commune.name}` : ''}`
                : 'Résultats'}
            </h2>
            <div aria-live="polite">
              {loading && <p>Recherche en cours…</p>}
              {error && <Alert severity="error" small description={error} />}
              {response?.message && (
                <Alert severity={response.total ? 'info' : 'warning'} small description={response.message} className={fr.cx('fr-mb-2w')} />
              )}
            </div>
            {!response && !loading && <p>Indiquez un besoin et la commune du patient, puis lancez la recherche.</p>}
            {response && <ResultsList results={response.results} selected={selected} />}
            {response && (
              <details className={fr.cx('fr-mt-2w')}>
                <summary>Requête FHIR équivalente (intégrateurs)</summary>
                <code className="ror-fhir-query">{response.fhirQuery}</code>
              </details>
            )}
          </section>
          <div className={fr.cx('fr-col-12', 'fr-col-lg-4')}>
            <ResultsMap
              config={config}
              center={response ? { lat: response.place.lat, lon: response.place.lon } : null}
              radiusKm={response?.radiusKm ?? null}
              results={response?.results ?? []}
              onSelect={(id) => {
                setSelected(id);
                document.getElementById(`offre-${id}`)?.focus();
              }}
            />
            {!config?.tileUrl && <p className={fr.cx('fr-text--xs', 'fr-mt-1w')}>Fond de carte : contours des départements (IGN Admin Express, Licence Ouverte).</p>}
          </div>
        </div>
    </Shell>
  );
}
