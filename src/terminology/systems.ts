/**
 * The NOS code systems (TRE) carried by the codings our own code writes or reads: demo and generated data,
 * self-registration, the coordinator search. One table, so a system URL is spelt once. All names are those
 * of the NOS files in shared/data/nos; code systems the files know by OID only are written with their OID.
 */
import { tre } from '../validation/profiles/urls.ts';

export const SYSTEM = {
  activity: tre('R211-ActiviteOperationnelle'),
  careMode: tre('R213-ModePriseEnCharge'),
  field: tre('R227-ChampActivite'),
  receptionModality: tre('R338-ModaliteAccueil'),
  audience: tre('R239-PublicPrisEnCharge'),
  takingCareSpeciality: tre('R245-SpecialisationDePriseEnCharge'),
  competence: tre('R243-CompetenceSpecifique'),
  divisionType: tre('R201-TypeDivisionTerritoriale'),
  commune: tre('R13-CommuneOM'),
  confidentiality: tre('R283-NiveauConfidentialite'),
  channel: tre('R200-CanalCommunication'),
  contactPurpose: tre('R287-NatureContact'),
  profession: tre('G15-ProfessionSante'),
  exerciseMode: tre('R23-ModeExercice'),
  region: tre('R30-RegionOM'),
  placeStatus: tre('R203-StatutLieu'),
  typeOfTime: tre('R252-TypeHoraire'),
  capacityType: tre('R329-NatureCapacite'),
  capacityStatus: tre('R330-TypeStatutCapacite'),
  /** JDV_J189 TemporaliteCapacite: code system known by its OID only. */
  capacityTemporality: 'urn:oid:1.2.250.1.213.3.3.214',
  /** JDV_J193 TypeSourceCapacite: code system known by its OID only. */
  capacitySource: 'urn:oid:1.2.250.1.213.3.3.218',
  temporaryAssignment: tre('R337-AffectationTemporaire'),
  rpps: 'urn:oid:1.2.250.1.71.4.2.1',
} as const;

/** A CodeableConcept of one coding. */
export function cc(system: string, code: string, display?: string) {
  return { coding: [{ system, code, ...(display ? { display } : {}) }] };
}
