import { useId, useRef, useState, type FormEvent } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { ACTIONS, THEMES } from '../../../src/anomalies/codes.ts';
import { useApi } from '../session.tsx';

/** Parts of an offer a visitor can point at, with the FHIRPath written in the Task (input pathElementError). */
const ELEMENTS: { path: string; label: string }[] = [
  { path: 'HealthcareService.name', label: 'Nom de l’offre' },
  { path: 'HealthcareService.location', label: 'Lieu, adresse' },
  { path: 'HealthcareService.extension.where(url.endsWith(\'ror-healthcareservice-contact\'))', label: 'Contacts, téléphone' },
  { path: 'HealthcareService.specialty', label: 'Activités' },
  { path: 'HealthcareService.extension.where(url.endsWith(\'ror-healthcareservice-patient-type\'))', label: 'Public, âges' },
  { path: 'HealthcareService.characteristic', label: 'Modes de prise en charge' },
  { path: 'Location.extension.where(url.endsWith(\'ror-location-supported-capacity\'))', label: 'Capacités, places disponibles' },
  { path: '', label: 'Autre' },
];

/**
 * "Signaler une erreur": a small form creating a ROR anomaly Task about `focus` (`HealthcareService/<id>`).
 * Open to anonymous visitors (the server limits them per address); no personal data is asked for.
 */
export function ReportForm({ focus }: { focus: string }) {
  const api = useApi();
  const ids = useId();
  const [open, setOpen] = useState(false);
  const [theme, setTheme] = useState('06');
  const [action, setAction] = useState('COR');
  const [element, setElement] = useState(ELEMENTS[0].path);
  const [description, setDescription] = useState('');
  const [proposed, setProposed] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const first = useRef<HTMLSelectElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { body } = await api<{ id: string; routed: boolean }>('/api/anomalies', {
        method: 'POST',
        json: { focus, theme, action, description, ...(element ? { path: element } : {}), ...(proposed.trim() ? { proposedValue: proposed } : {}) },
      });
      setDone(body.routed
        ? `Merci : votre signalement (n° ${body.id.slice(0, 8)}) a été transmis aux référents de la structure.`
        : `Merci : votre signalement (n° ${body.id.slice(0, 8)}) est enregistré ; la structure n’a pas encore de référent, l’équipe régionale le traitera.`);
      setOpen(false);
      setDescription('');
      setProposed('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby={`${ids}-titre`} className="ror-no-print fr-mt-4w">
      <h2 id={`${ids}-titre`} className={fr.cx('fr-h5')}>Une information est fausse ?</h2>
      <div role="status">{done && <Alert severity="success" small description={done} />}</div>
      {!open ? (
        <Button iconId="fr-icon-flag-line" priority="tertiary" onClick={() => { setOpen(true); setDone(null); setTimeout(() => first.current?.focus(), 0); }}>
          Signaler une erreur
        </Button>
      ) : (
        <form onSubmit={submit} id="signalement" noValidate={false}>
          <p className={fr.cx('fr-text--sm')}>
            Votre signalement est transmis aux référents de la structure, qui corrigent les données. N’écrivez aucune information
            sur un patient ni sur vous-même.
          </p>
          <div className={fr.cx('fr-select-group')}>
            <label className={fr.cx('fr-label')} htmlFor={`${ids}-element`}>Information concernée</label>
            <select ref={first} id={`${ids}-element`} className={fr.cx('fr-select')} value={element} onChange={(e) => setElement(e.target.value)}>
              {ELEMENTS.map((x) => <option key={x.label} value={x.path}>{x.label}</option>)}
            </select>
          </div>
          <div className={fr.cx('fr-select-group')}>
            <label className={fr.cx('fr-label')} htmlFor={`${ids}-theme`}>Nature du problème</label>
            <select id={`${ids}-theme`} className={fr.cx('fr-select')} value={theme} onChange={(e) => setTheme(e.target.value)}>
              {Object.entries(THEMES).map(([code, label]) => <option key={code} value={code}>{label}</option>)}
            </select>
          </div>
          <div className={fr.cx('fr-select-group')}>
            <label className={fr.cx('fr-label')} htmlFor={`${ids}-action`}>Ce qu’il faudrait faire</label>
            <select id={`${ids}-action`} className={fr.cx('fr-select')} value={action} onChange={(e) => setAction(e.target.value)}>
              {Object.entries(ACTIONS).map(([code, label]) => <option key={code} value={code}>{label}</option>)}
            </select>
          </div>
          <div className={fr.cx('fr-input-group')}>
            <label className={fr.cx('fr-label')} htmlFor={`${ids}-description`}>
              Qu’est-ce qui ne va pas ?<span className={fr.cx('fr-hint-text')}>Obligatoire, 3 caractères au moins</span>
            </label>
            <textarea id={`${ids}-description`} className={fr.cx('fr-input')} required minLength={3} maxLength={2000} rows={3}
              value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
          <div className={fr.cx('fr-input-group')}>
            <label className={fr.cx('fr-label')} htmlFor={`${ids}-proposition`}>
              Valeur correcte, si vous la connaissez<span className={fr.cx('fr-hint-text')}>Facultatif</span>
            </label>
            <input id={`${ids}-proposition`} className={fr.cx('fr-input')} maxLength={500} value={proposed} onChange={(e) => setProposed(e.target.value)} />
          </div>
          {error && <Alert severity="error" small description={error} className={fr.cx('fr-mb-2w')} />}
          <ul className={fr.cx('fr-btns-group', 'fr-btns-group--inline-md')}>
            <li><Button type="submit" disabled={busy}>Envoyer le signalement</Button></li>
            <li><Button type="button" priority="secondary" onClick={() => setOpen(false)}>Annuler</Button></li>
          </ul>
        </form>
      )}
    </section>
  );
}
