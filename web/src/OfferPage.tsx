import { useEffect, useRef, useState } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { fetchCommunes, fetchOffer, type OfferDetail } from './api.ts';
import { formatDate } from './labels.ts';
import { ReportForm } from './anomalies/ReportForm.tsx';

const ages = (r: OfferDetail['ageRange']) => (r ? `de ${r.low ?? 0} à ${r.high ?? '…'} ans` : undefined);

/** The detail of one offer, printable (print CSS) to give to the patient. */
export function OfferPage({ id }: { id: string }) {
  const [offer, setOffer] = useState<OfferDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [zoneNames, setZoneNames] = useState<Record<string, string>>({});
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    fetchOffer(id)
      .then((o) => {
        setOffer(o);
        document.title = `${o.name} — ROR`;
        Promise.all(o.interventionZone.slice(0, 30).map((code) => fetchCommunes(code).then((l) => l.find((c) => c.code === code))))
          .then((found) => setZoneNames(Object.fromEntries(found.filter(Boolean).map((c) => [c!.code, c!.name]))))
          .catch(() => undefined);
      })
      .catch((e: Error) => setError(e.message));
  }, [id]);

  // The page title is where a keyboard or screen-reader user lands.
  useEffect(() => {
    if (offer) heading.current?.focus();
  }, [offer]);

  if (error) return <Alert severity="error" title="Offre introuvable" description={error} />;
  if (!offer) return <p>Chargement…</p>;

  const rows: [string, string | undefined][] = [
    ['Champ d’activité', offer.field?.display],
    ['Activités', offer.activities.map((a) => a.display ?? a.code).join(', ') || undefined],
    ['Modes de prise en charge', offer.careModes.map((a) => a.display ?? a.code).join(', ') || undefined],
    ['Public pris en charge', offer.publics.map((a) => a.display ?? a.code).join(', ') || undefined],
    ['Âges', ages(offer.ageRange)],
    ['Visites à domicile', offer.homeVisit ? 'Oui' : undefined],
    ['Zone d’intervention', offer.interventionZone.map((c) => zoneNames[c] ?? c).join(', ') || undefined],
    ['Commentaire', offer.comment],
  ];

  return (
    <article aria-labelledby="titre-offre">
      <p className={fr.cx('fr-mb-2w') + ' ror-no-print'}>
        <a className={fr.cx('fr-link', 'fr-icon-arrow-left-line', 'fr-link--icon-left')} href="/"
          onClick={(e) => {
            if (document.referrer.startsWith(window.location.origin) && window.history.length > 1) {
              e.preventDefault();
              window.history.back();
            }
          }}>Retour à la recherche</a>
      </p>
      <h1 id="titre-offre" ref={heading} tabIndex={-1} className={fr.cx('fr-h2')}>{offer.name}</h1>
      {offer.organization?.name && <p className={fr.cx('fr-text--lead')}>{offer.organization.name}</p>}
      <ul className={fr.cx('fr-badges-group', 'fr-mb-2w')}>
        {offer.field?.display && <li><Badge noIcon>{offer.field.display}</Badge></li>}
        {offer.stale && <li><Badge severity="warning">Données non confirmées depuis plus de 6 mois</Badge></li>}
      </ul>
      <dl className="ror-detail">
        {rows.filter(([, v]) => v).map(([k, v]) => (
          <div key={k}><dt>{k}</dt><dd>{v}</dd></div>
        ))}
      </dl>
      <h2 className={fr.cx('fr-h5', 'fr-mt-3w')}>Lieux</h2>
      {offer.locations.length === 0 && <p>Aucun lieu renseigné.</p>}
      <ul>
        {offer.locations.map((l) => (
          <li key={l.id}>
            <strong>{l.name ?? 'Lieu'}</strong>{l.address && <> — {l.address}</>}
            {l.availablePlaces != null && l.availablePlaces > 0 && <> — <Badge small severity="success">{l.availablePlaces} place{l.availablePlaces > 1 ? 's' : ''} disponible{l.availablePlaces > 1 ? 's' : ''}</Badge></>}
            {l.capacityUpdatedAt && <span className={fr.cx('fr-text--xs')}> (capacités au {formatDate(l.capacityUpdatedAt)})</span>}
          </li>
        ))}
      </ul>
      <h2 className={fr.cx('fr-h5', 'fr-mt-3w')}>Contacts</h2>
      {offer.contacts.length === 0 ? <p>Aucune coordonnée publique.</p> : (
        <ul>
          {offer.contacts.map((c, i) => <li key={i}>{c.label ? `${c.label} : ` : ''}{c.value}</li>)}
        </ul>
      )}
      <p className={fr.cx('fr-text--sm', 'fr-mt-3w')}>
        Mis à jour le {formatDate(offer.lastUpdated)} · <a href={offer.fhirUrl}>Ressource FHIR</a>
      </p>
      <div className="ror-no-print">
        <Button iconId="fr-icon-printer-line" priority="secondary" onClick={() => window.print()}>Imprimer ou enregistrer en PDF</Button>
      </div>
      <ReportForm focus={`HealthcareService/${id}`} />
    </article>
  );
}
