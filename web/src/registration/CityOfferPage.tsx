import { useEffect, useRef, useState, type FormEvent } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import type { Commune } from '../api.ts';
import { CodePicker, CommunePicker, expandValueSet, type PickedCode } from '../forms/pickers.tsx';
import { useSession } from '../session.tsx';
import { sendJson } from './registration-api.ts';
import { ZoneMap } from './ZoneMap.tsx';

const J33 = 'https://mos.esante.gouv.fr/NOS/JDV_J33-CompetenceSpecifique-ROR/FHIR/JDV-J33-CompetenceSpecifique-ROR';
const R243 = 'https://mos.esante.gouv.fr/NOS/TRE_R243-CompetenceSpecifique/FHIR/TRE-R243-CompetenceSpecifique';
/** TRE_R283-NiveauConfidentialite (JDV_J222), as the NOS labels them. */
const LEVELS = [
  { code: '1', display: 'Accès libre (public)' },
  { code: '2', display: 'Accès restreint (professionnels)' },
  { code: '3', display: 'Accès très restreint' },
];
const DAYS = ['Lundi', 'Mardi', 'Mercredi', 'Jeudi', 'Vendredi', 'Samedi', 'Dimanche'];
const PHONE = /^(0[1-9](\s?\d{2}){4}|\+\d[\d\s]{7,18})$/;
const MSS = /^[^\s@]+@([a-z0-9-]+\.)+mssante\.fr$/i;

interface Activity { code: string; display: string }
interface OfferInput {
  places: { line: string; postalCode?: string; communeCode: string }[];
  homeVisits: boolean;
  zone: string[];
  skills: string[];
  specificCompetences: string[];
  hours: { days: number[]; start: string; end: string };
  acceptingNewPatients: boolean;
  phone: string;
  phoneConfidentiality: string;
  mss?: string;
  mssConfidentiality: string;
}
interface OfferResponse {
  identity?: { rpps: string; family: string; given: string | null };
  profession?: { code: string; display: string; general: Activity; skills: Activity[] };
  offer: OfferInput | null;
  offers: string[];
  communes: Record<string, Commune>;
}
interface Place { line: string; postalCode: string; commune: Commune[] }

/** The professional describes the city offer: places, home visits and zone (list + map), savoir-faire, hours, contacts. */
export function CityOfferPage() {
  const session = useSession();
  const [loaded, setLoaded] = useState<OfferResponse | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [places, setPlaces] = useState<Place[]>([{ line: '', postalCode: '', commune: [] }]);
  const [homeVisits, setHomeVisits] = useState(true);
  const [zone, setZone] = useState<Commune[]>([]);
  const [skills, setSkills] = useState<string[]>([]);
  const [competences, setCompetences] = useState<PickedCode[]>([]);
  const [days, setDays] = useState<number[]>([1, 2, 3, 4, 5]);
  const [start, setStart] = useState('08:00');
  const [end, setEnd] = useState('19:00');
  const [newPatients, setNewPatients] = useState(true);
  const [phone, setPhone] = useState('');
  const [phoneLevel, setPhoneLevel] = useState('1');
  const [mss, setMss] = useState('');
  const [mssLevel, setMssLevel] = useState('2');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    document.title = 'Décrire mon offre de ville — ROR';
  }, []);
  useEffect(() => {
    if (session.user === null) window.location.assign(`/connexion?retour=${encodeURIComponent('/inscription/offre')}`);
    if (!session.user) return;
    sendJson<OfferResponse>('GET', '/api/inscription/offre').then((r) => {
      if (!r.ok) return setLoadError(r.problem.error.fr);
      setLoaded(r.body);
      const o = r.body.offer;
      if (!o) return;
      const c = (code: string) => r.body.communes[code];
      setPlaces(o.places.map((p) => ({ line: p.line, postalCode: p.postalCode ?? '', commune: c(p.communeCode) ? [c(p.communeCode)] : [] })));
      setHomeVisits(o.homeVisits);
      setZone(o.zone.map(c).filter(Boolean));
      setSkills(o.skills);
      // Labels of the stored competence codes, from the value set (never shown as raw codes).
      expandValueSet(J33, '', undefined, 1000).then((all) => setCompetences(o.specificCompetences.map((code) => (
        { system: R243, code, display: all.find((c) => c.code === code)?.display ?? `Compétence ${code}` }))));
      setDays(o.hours.days);
      setStart(o.hours.start);
      setEnd(o.hours.end);
      setNewPatients(o.acceptingNewPatients);
      setPhone(o.phone);
      setPhoneLevel(o.phoneConfidentiality);
      setMss(o.mss ?? '');
      setMssLevel(o.mssConfidentiality);
    });
  }, [session.user]);

  /** The same checks as the server, so that messages appear before anything is sent. */
  const check = (): Record<string, string> => {
    const e: Record<string, string> = {};
    places.forEach((p, i) => {
      if (!p.line.trim()) e[`places.${i}.line`] = 'Indiquez l\'adresse du cabinet (numéro et voie)';
      if (!p.commune.length) e[`places.${i}.communeCode`] = 'Choisissez la commune du cabinet dans la liste';
      if (p.postalCode && !/^\d{5}$/.test(p.postalCode)) e[`places.${i}.postalCode`] = 'Le code postal compte 5 chiffres';
    });
    if (homeVisits && !zone.length) e.zone = 'Avec des visites à domicile, indiquez au moins une commune de votre zone d\'intervention';
    if (!days.length) e['hours.days'] = 'Cochez au moins un jour d\'ouverture';
    if (start >= end) e['hours.end'] = 'L\'heure de fermeture doit suivre l\'heure d\'ouverture';
    if (!PHONE.test(phone.trim())) e.phone = 'Numéro de téléphone invalide : 10 chiffres commençant par 0 (ex. 01 30 94 12 12)';
    if (mss.trim() && !MSS.test(mss.trim())) e.mss = 'Adresse de messagerie sécurisée invalide : elle se termine par .mssante.fr (ex. prenom.nom@masseur-kinesitherapeute.mssante.fr)';
    return e;
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setSaved(null);
    setProblem(null);
    const e = check();
    setErrors(e);
    if (Object.keys(e).length) {
      summary.current?.focus();
      return;
    }
    const body: OfferInput = {
      places: places.map((p) => ({ line: p.line.trim(), ...(p.postalCode ? { postalCode: p.postalCode } : {}), communeCode: p.commune[0].code })),
      homeVisits, zone: homeVisits ? zone.map((c) => c.code) : [], skills, specificCompetences: competences.map((c) => c.code),
      hours: { days: [...days].sort(), start, end }, acceptingNewPatients: newPatients,
      phone: phone.trim(), phoneConfidentiality: phoneLevel, ...(mss.trim() ? { mss: mss.trim() } : {}), mssConfidentiality: mssLevel,
    };
    setBusy(true);
    try {
      const r = await sendJson<OfferResponse>('PUT', '/api/inscription/offre', body, session.csrfToken);
      if (r.ok) setSaved(r.body.offers);
      else {
        setErrors(r.problem.fields ?? {});
        setProblem(r.problem.error.fr);
        summary.current?.focus();
      }
    } finally {
      setBusy(false);
    }
  };

  if (loadError) return <Alert severity="error" title="Offre indisponible" description={loadError} />;
  if (!loaded) return <p role="status">Chargement…</p>;
  const prof = loaded.profession!;
  const err = (k: string) => (errors[k] ? { state: 'error' as const, stateRelatedMessage: errors[k] } : {});
  const errorCount = Object.keys(errors).length;

  return (
    <div>
      <h1>Décrire mon offre de ville</h1>
      <p>{[loaded.identity?.given, loaded.identity?.family].filter(Boolean).join(' ')} — {prof.display}</p>
      <div ref={summary} tabIndex={-1}>
        {errorCount > 0 && <Alert severity="error" small role="alert" className={fr.cx('fr-mb-3w')} description={problem ?? `${errorCount} champ(s) à corriger : rien n'a été enregistré.`} />}
        {saved && <Alert severity="success" role="status" className={fr.cx('fr-mb-3w')} title="Offre enregistrée" description={`${saved.length} offre(s) visible(s) des coordinateurs dès maintenant.`} />}
      </div>
      <form onSubmit={submit} noValidate>
        <fieldset className={fr.cx('fr-fieldset')}>
          <legend className={fr.cx('fr-fieldset__legend')}><h2 className={fr.cx('fr-h4')}>Lieux d'exercice</h2></legend>
          {places.map((p, i) => (
            <div key={i} className={fr.cx('fr-mb-2w')} style={{ width: '100%' }}>
              <Input label={`Adresse du cabinet ${places.length > 1 ? i + 1 : ''} (obligatoire)`} {...err(`places.${i}.line`)}
                nativeInputProps={{ id: `place-${i}-line`, value: p.line, onChange: (e) => setPlaces(places.map((x, j) => (j === i ? { ...x, line: e.target.value } : x))) }} />
              <CommunePicker id={`place-${i}-commune`} label="Commune du cabinet" required error={errors[`places.${i}.communeCode`]}
                value={p.commune} onChange={(v) => setPlaces(places.map((x, j) => (j === i ? { ...x, commune: v, postalCode: v[0]?.postcodes[0] ?? x.postalCode } : x)))} />
              <Input label="Code postal" {...err(`places.${i}.postalCode`)}
                nativeInputProps={{ id: `place-${i}-postcode`, inputMode: 'numeric', value: p.postalCode, onChange: (e) => setPlaces(places.map((x, j) => (j === i ? { ...x, postalCode: e.target.value } : x))) }} />
              {places.length > 1 && <Button type="button" priority="tertiary" size="small" onClick={() => setPlaces(places.filter((_, j) => j !== i))}>Retirer ce lieu</Button>}
            </div>
          ))}
          <Button type="button" priority="secondary" size="small" iconId="fr-icon-add-line" onClick={() => setPlaces([...places, { line: '', postalCode: '', commune: [] }])}>Ajouter un lieu d'exercice</Button>
        </fieldset>

        <fieldset className={fr.cx('fr-fieldset')}>
          <legend className={fr.cx('fr-fieldset__legend')}><h2 className={fr.cx('fr-h4')}>Visites à domicile et zone d'intervention</h2></legend>
          <div className={fr.cx('fr-checkbox-group', 'fr-mb-2w')}>
            <input type="checkbox" id="home-visits" checked={homeVisits} onChange={(e) => setHomeVisits(e.target.checked)} />
            <label className={fr.cx('fr-label')} htmlFor="home-visits">Je me déplace au domicile des patients</label>
          </div>
          {homeVisits && (
            <div style={{ width: '100%' }}>
              <CommunePicker id="zone" label="Communes de ma zone d'intervention" multiple required error={errors.zone} value={zone} onChange={setZone} />
              <ZoneMap places={places.flatMap((p) => p.commune)} zone={zone} />
            </div>
          )}
        </fieldset>

        <fieldset className={fr.cx('fr-fieldset')} aria-describedby={errors.skills ? 'skills-error' : undefined}>
          <legend className={fr.cx('fr-fieldset__legend')}><h2 className={fr.cx('fr-h4')}>Savoir-faire et compétences particulières</h2></legend>
          <p className={fr.cx('fr-hint-text')} style={{ width: '100%' }}>Toujours déclaré : {prof.general.display}.</p>
          {prof.skills.map((s) => (
            <div key={s.code} className={fr.cx('fr-checkbox-group')} style={{ width: '100%' }}>
              <input type="checkbox" id={`skill-${s.code}`} checked={skills.includes(s.code)}
                onChange={(e) => setSkills(e.target.checked ? [...skills, s.code] : skills.filter((x) => x !== s.code))} />
              <label className={fr.cx('fr-label')} htmlFor={`skill-${s.code}`}>{s.display}</label>
            </div>
          ))}
          {errors.skills && <p id="skills-error" className={fr.cx('fr-error-text')}>{errors.skills}</p>}
          <div style={{ width: '100%' }} className={fr.cx('fr-mt-2w')}>
            <CodePicker id="competences" label="Compétences spécifiques (langue des signes, langue étrangère…)" valueSet={J33} multiple
              value={competences} onChange={setCompetences} error={errors.specificCompetences} />
          </div>
        </fieldset>

        <fieldset className={fr.cx('fr-fieldset')}>
          <legend className={fr.cx('fr-fieldset__legend')}><h2 className={fr.cx('fr-h4')}>Horaires et patientèle</h2></legend>
          <div style={{ width: '100%' }}>
            {DAYS.map((d, i) => (
              <div key={d} className={fr.cx('fr-checkbox-group', 'fr-checkbox-group--sm')} style={{ display: 'inline-block', marginRight: '1rem' }}>
                <input type="checkbox" id={`day-${i + 1}`} checked={days.includes(i + 1)} onChange={(e) => setDays(e.target.checked ? [...days, i + 1] : days.filter((x) => x !== i + 1))} />
                <label className={fr.cx('fr-label')} htmlFor={`day-${i + 1}`}>{d}</label>
              </div>
            ))}
            {errors['hours.days'] && <p className={fr.cx('fr-error-text')}>{errors['hours.days']}</p>}
          </div>
          <Input label="Ouverture" nativeInputProps={{ id: 'hours-start', type: 'time', value: start, onChange: (e) => setStart(e.target.value) }} {...err('hours.start')} />
          <Input label="Fermeture" nativeInputProps={{ id: 'hours-end', type: 'time', value: end, onChange: (e) => setEnd(e.target.value) }} {...err('hours.end')} />
          <div className={fr.cx('fr-checkbox-group')} style={{ width: '100%' }}>
            <input type="checkbox" id="new-patients" checked={newPatients} onChange={(e) => setNewPatients(e.target.checked)} />
            <label className={fr.cx('fr-label')} htmlFor="new-patients">J'accepte de nouveaux patients</label>
          </div>
        </fieldset>

        <fieldset className={fr.cx('fr-fieldset')}>
          <legend className={fr.cx('fr-fieldset__legend')}><h2 className={fr.cx('fr-h4')}>Contacts</h2></legend>
          <Input label="Téléphone du cabinet (obligatoire)" {...err('phone')} nativeInputProps={{ id: 'phone', type: 'tel', autoComplete: 'tel', value: phone, onChange: (e) => setPhone(e.target.value) }} />
          <LevelSelect id="phone-level" label="Qui peut voir ce numéro ?" value={phoneLevel} onChange={setPhoneLevel} />
          <Input label="Messagerie sécurisée de santé (MSSanté)" hintText="prenom.nom@profession.mssante.fr" {...err('mss')}
            nativeInputProps={{ id: 'mss', type: 'email', value: mss, onChange: (e) => setMss(e.target.value) }} />
          <LevelSelect id="mss-level" label="Qui peut voir cette adresse ?" value={mssLevel} onChange={setMssLevel} />
        </fieldset>
        <Button type="submit" disabled={busy}>Enregistrer mon offre</Button>
      </form>
    </div>
  );
}

function LevelSelect({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (v: string) => void }) {
  return (
    <div className={fr.cx('fr-select-group')} style={{ width: '100%' }}>
      <label className={fr.cx('fr-label')} htmlFor={id}>{label}</label>
      <select className={fr.cx('fr-select')} id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {LEVELS.map((l) => <option key={l.code} value={l.code}>{l.display}</option>)}
      </select>
    </div>
  );
}
