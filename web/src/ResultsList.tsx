import { fr } from '@codegouvfr/react-dsfr';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import type { OfferResult } from './api.ts';
import { formatDate, formatKm } from './labels.ts';

const contactHref = (c: OfferResult['contacts'][number]) =>
  c.kind === 'phone' ? `tel:${c.value.replace(/\s+/g, '')}` : c.kind === 'email' || c.kind === 'mss' ? `mailto:${c.value}` : c.kind === 'url' ? c.value : undefined;

/** The ranked offers, each with why it matches, where, how to reach it, capacity and freshness. */
export function ResultsList({ results, selected }: { results: OfferResult[]; selected: string | null }) {
  if (!results.length) return null;
  return (
    <ol className="ror-results" aria-label="Offres trouvées">
      {results.map((r) => (
        <li key={r.id}>
          <article
            id={`offre-${r.id}`}
            tabIndex={-1}
            className={r.id === selected ? 'ror-result ror-result--selected' : 'ror-result'}
            aria-labelledby={`nom-${r.id}`}
          >
            <h3 id={`nom-${r.id}`} className={fr.cx('fr-h6', 'fr-mb-1v')}><a href={`/offre/${encodeURIComponent(r.id)}`}>{r.name}</a></h3>
            {r.organization?.name && <p className={fr.cx('fr-text--sm', 'fr-mb-1v')}>{r.organization.name}</p>}
            <ul className={fr.cx('fr-badges-group')}>
              {r.field?.display && <li><Badge small noIcon>{r.field.display}</Badge></li>}
              {r.distanceKm != null && <li><Badge small noIcon severity="info">{formatKm(r.distanceKm)}</Badge></li>}
              {r.interventionZoneMatch && <li><Badge small severity="success">Intervient dans la commune</Badge></li>}
              {r.capacity && r.capacity.availablePlaces > 0 && <li><Badge small severity="success">{r.capacity.availablePlaces} place{r.capacity.availablePlaces > 1 ? 's' : ''} disponible{r.capacity.availablePlaces > 1 ? 's' : ''}</Badge></li>}
              {r.closedUntil && <li><Badge small severity="error">Fermée temporairement (réouverture {r.closedUntil})</Badge></li>}
              {r.stale && <li><Badge small severity="warning">Données non confirmées depuis plus de 6 mois</Badge></li>}
            </ul>
            {r.reasons.length > 0 && (
              <p className={fr.cx('fr-text--sm', 'fr-mb-1v')}><span className={fr.cx('fr-text--bold')}>Pourquoi : </span>{r.reasons.join(' · ')}</p>
            )}
            {r.location?.address && <p className={fr.cx('fr-text--sm', 'fr-mb-1v')}>{r.location.address}</p>}
            {r.contacts.length > 0 && (
              <p className={fr.cx('fr-text--sm', 'fr-mb-1v')}>
                {r.contacts.map((c, i) => {
                  const href = contactHref(c);
                  return <span key={i}>{i > 0 && ' · '}{href ? <a href={href}>{c.value}</a> : c.value}</span>;
                })}
              </p>
            )}
            <p className={fr.cx('fr-text--xs', 'fr-mb-0')}>
              Mis à jour le {formatDate(r.lastUpdated)}
              {r.capacity?.updatedAt && <> · capacités au {formatDate(r.capacity.updatedAt)}</>}
              {' · '}<a href={r.fhirUrl}>Ressource FHIR<span className={fr.cx('fr-sr-only')}> de {r.name}</span></a>
            </p>
          </article>
        </li>
      ))}
    </ol>
  );
}
