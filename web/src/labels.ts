/** Labels of the filter options (NOS: TRE_R227 champ d'activité, TRE_R213 mode de prise en charge, TRE_R239 public). */

export const FIELDS: { code: string; label: string }[] = [
  { code: '01', label: 'MCO (médecine, chirurgie, obstétrique)' },
  { code: '02', label: 'SMR (soins médicaux et de réadaptation)' },
  { code: '03', label: 'Psychiatrie' },
  { code: '04', label: 'Médico-social' },
  { code: '05', label: 'Ville (ambulatoire)' },
];

export const CARE_MODES: { code: string; label: string }[] = [
  { code: '28', label: 'Hospitalisation complète (HC)' },
  { code: '29', label: 'Hospitalisation de jour (HJ)' },
  { code: '31', label: 'Hospitalisation à domicile (HAD)' },
  { code: '32', label: 'Consultation (CS)' },
  { code: '46', label: 'Hébergement (accueil jour et nuit)' },
  { code: '47', label: 'Accueil de jour' },
  { code: '49', label: 'Sur les lieux de vie' },
  { code: '11', label: 'Equipe mobile extra-hospitalière' },
];

export const PUBLICS: { code: string; label: string }[] = [
  { code: '01', label: "Personnes âgées en perte d'autonomie (PA) et aidants" },
  { code: '02', label: 'Personnes en situation de handicap (PH) et aidants' },
  { code: '03', label: 'Personnes âgées autonomes' },
  { code: '04', label: "Personnes souffrant d'addictions" },
  { code: '05', label: 'Personnes handicapées vieillissantes' },
  { code: '06', label: 'Personnes en situation de précarité' },
  { code: '07', label: 'Tout public' },
  { code: '08', label: 'Etudiants' },
];

export const RADII = [5, 10, 20, 30, 50];

export const formatKm = (km: number) => `${km.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} km`;

export const formatDate = (iso: string) => new Date(iso).toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric' });
