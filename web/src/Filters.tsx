import { fr } from '@codegouvfr/react-dsfr';
import type { SearchResponse } from './api.ts';
import { CARE_MODES, FIELDS, PUBLICS } from './labels.ts';
import { useSession } from './session.tsx';

export interface FilterState {
  fields: string[];
  careMode: string;
  publicType: string;
  age: string;
  homeVisit: boolean;
  available: boolean;
}

export const EMPTY_FILTERS: FilterState = { fields: [], careMode: '', publicType: '', age: '', homeVisit: false, available: false };

interface Props {
  value: FilterState;
  onChange: (f: FilterState) => void;
  facets: SearchResponse['facets'] | null;
}

const countOf = (list: { code: string; count: number }[] | undefined, code: string) => list?.find((f) => f.code === code)?.count ?? 0;

/** The search filters, with the number of results for each option when a search has run. */
export function Filters({ value, onChange, facets }: Props) {
  const set = (patch: Partial<FilterState>) => onChange({ ...value, ...patch });
  // Availabilities are for signed-in people (access matrix): anonymous visitors get neither the filter nor counts.
  const { user } = useSession();
  const withCount = (label: string, n: number | undefined) => (facets && n != null ? `${label} (${n})` : label);
  return (
    <section aria-labelledby="titre-filtres" className="ror-filters">
      <h2 id="titre-filtres" className={fr.cx('fr-h6')}>Filtres</h2>
      <fieldset className={fr.cx('fr-fieldset')} aria-labelledby="legende-champ">
        <legend id="legende-champ" className={fr.cx('fr-fieldset__legend', 'fr-text--regular')}>Champ d’activité</legend>
        {FIELDS.map((f) => (
          <div key={f.code} className={fr.cx('fr-fieldset__element')}>
            <div className={fr.cx('fr-checkbox-group', 'fr-checkbox-group--sm')}>
              <input
                type="checkbox"
                id={`champ-${f.code}`}
                checked={value.fields.includes(f.code)}
                onChange={(e) => set({ fields: e.target.checked ? [...value.fields, f.code] : value.fields.filter((c) => c !== f.code) })}
              />
              <label className={fr.cx('fr-label')} htmlFor={`champ-${f.code}`}>{withCount(f.label, countOf(facets?.field, f.code))}</label>
            </div>
          </div>
        ))}
      </fieldset>
      <div className={fr.cx('fr-select-group')}>
        <label className={fr.cx('fr-label')} htmlFor="mode">Mode de prise en charge</label>
        <select id="mode" className={fr.cx('fr-select')} value={value.careMode} onChange={(e) => set({ careMode: e.target.value })}>
          <option value="">Tous</option>
          {CARE_MODES.map((m) => <option key={m.code} value={m.code}>{withCount(m.label, countOf(facets?.careMode, m.code))}</option>)}
        </select>
      </div>
      <div className={fr.cx('fr-select-group')}>
        <label className={fr.cx('fr-label')} htmlFor="public">Public pris en charge</label>
        <select id="public" className={fr.cx('fr-select')} value={value.publicType} onChange={(e) => set({ publicType: e.target.value })}>
          <option value="">Tous</option>
          {PUBLICS.map((p) => <option key={p.code} value={p.code}>{withCount(p.label, countOf(facets?.public, p.code))}</option>)}
        </select>
      </div>
      <div className={fr.cx('fr-input-group')}>
        <label className={fr.cx('fr-label')} htmlFor="age">Âge du patient<span className={fr.cx('fr-hint-text')}>En années</span></label>
        <input id="age" className={fr.cx('fr-input')} type="number" inputMode="numeric" min={0} max={130} value={value.age}
          onChange={(e) => set({ age: e.target.value.replace(/\D/g, '').slice(0, 3) })} />
      </div>
      <fieldset className={fr.cx('fr-fieldset')} aria-labelledby="legende-modalites">
        <legend id="legende-modalites" className={fr.cx('fr-fieldset__legend', 'fr-text--regular')}>Modalités</legend>
        <div className={fr.cx('fr-fieldset__element')}>
          <div className={fr.cx('fr-checkbox-group', 'fr-checkbox-group--sm')}>
            <input type="checkbox" id="domicile" checked={value.homeVisit} onChange={(e) => set({ homeVisit: e.target.checked })} />
            <label className={fr.cx('fr-label')} htmlFor="domicile">{withCount('Visites à domicile', facets?.homeVisit)}</label>
          </div>
        </div>
        <div className={fr.cx('fr-fieldset__element')}>
          {user ? (
            <div className={fr.cx('fr-checkbox-group', 'fr-checkbox-group--sm')}>
              <input type="checkbox" id="disponible" checked={value.available} onChange={(e) => set({ available: e.target.checked })} />
              <label className={fr.cx('fr-label')} htmlFor="disponible">{withCount('Lits ou places disponibles', facets?.available)}</label>
            </div>
          ) : (
            <p className={fr.cx('fr-text--sm', 'fr-mb-0')} id="disponible-connexion">
              <a href="/connexion">Connectez-vous</a> pour voir les lits et places disponibles.
            </p>
          )}
        </div>
      </fieldset>
    </section>
  );
}
