/**
 * The shape of a profile written as data. The ROR 0.7.0 StructureDefinitions are not available
 * here, so each profile module under ./profiles/ states its constraints with these types and the
 * engine (engine.ts) enforces them. Only what the ROR profiles add to base R4 is stated: base R4
 * structure (unknown elements, primitive formats, base cardinalities) is checked by base-r4.ts.
 */

/** A text in French (for referents) and English (for integrators). */
export interface Text {
  fr: string;
  en: string;
}

export type BindingStrength = 'required' | 'extensible' | 'preferred' | 'example';

/** A terminology binding: the canonical URL of the value set (a NOS JDV for the ROR) and its strength. */
export interface Binding {
  valueSet: string;
  strength: BindingStrength;
}

/** FHIR data types a value[x] (or choice element) may take, as they appear in JSON keys (`valueRange`). */
export type ValueType =
  | 'boolean' | 'integer' | 'decimal' | 'string' | 'code' | 'uri' | 'url' | 'canonical' | 'date' | 'dateTime'
  | 'instant' | 'time' | 'CodeableConcept' | 'Coding' | 'Range' | 'Period' | 'Quantity' | 'Identifier'
  | 'Reference' | 'Money' | 'HumanName' | 'Expression' | 'Address' | 'ContactPoint';

/** Organization flavours of the single ror-organization profile (legal entity, site, internal unit). */
export type OrgVariant = 'EJ' | 'EG' | 'OI';

/** Named checks that are not expressible as cardinality/binding/value (see invariants.ts). */
export type InvariantKey = 'range-low-le-high' | 'range-non-negative' | 'period-start-le-end' | 'time-start-le-end' | 'non-negative' | 'day-of-week'
  | 'telecom-value' | 'telecom-mss' | 'telecom-address';

/** Rules on one child element (one JSON key) of the element that holds this rule. */
export interface ElementRule {
  /** JSON key, e.g. `identifier`; a choice element is written `value[x]` and lists its `types`. */
  name: string;
  /** Business name with its article, e.g. « l'identifiant de l'offre » / "offer identifier". */
  label: Text;
  min?: number;
  /** Undefined = unbounded (`*`). */
  max?: number;
  types?: ValueType[];
  binding?: Binding;
  /** Exact value required (primitive, or object compared as a whole). */
  fixed?: unknown;
  /** Partial value required: every property given must be present with that value. */
  pattern?: unknown;
  /** Rules on the children of each occurrence. */
  elements?: ElementRule[];
  /** Extension slices of each occurrence (by url). */
  extensions?: ExtensionRule[];
  /** Repetitions of a CodeableConcept told apart by the system of their codings. */
  slicing?: CodingSlicing;
  /** Organization variants this element belongs to; present on another variant = warning. */
  variants?: OrgVariant[];
  invariants?: InvariantKey[];
}

/** An extension slice: which url, how many, and what it carries (a value, or sub-extensions). */
export interface ExtensionRule {
  /** Full canonical URL, or the short url of a sub-extension (`ageRange`). */
  url: string;
  label: Text;
  min?: number;
  max?: number;
  /** Simple extension: the value[x] it must carry. Absent together with `extensions` = any value. */
  value?: {
    type: ValueType;
    binding?: Binding;
    fixed?: unknown;
    pattern?: unknown;
    elements?: ElementRule[];
    invariants?: InvariantKey[];
  };
  /** Complex extension: its sub-extensions (value[x] is then forbidden). */
  extensions?: ExtensionRule[];
  variants?: OrgVariant[];
}

/**
 * One slice of a repeated element. The slice of an occurrence is told by the codings of a
 * CodeableConcept (the occurrence itself, or its child `slicing.path`): by their system (`systems`),
 * or by an exact system|code (`code`).
 */
export interface CodingSlice {
  name: string;
  label: Text;
  min?: number;
  max?: number;
  /** The code systems (TRE) whose codes belong to this slice. */
  systems?: string[];
  /** Or: the codes that mark this slice (e.g. Task.input type `systemRequester`). */
  codes?: { system: string; code: string }[];
  /** Binding of the sliced CodeableConcept. */
  binding?: Binding;
  /** Extension rules on the sliced CodeableConcept (e.g. ror-act-type fixed to specificAct). */
  extensions?: ExtensionRule[];
  /** Rules on the children of the occurrence (e.g. the value[x] of a Task.input slice). */
  elements?: ElementRule[];
  /**
   * When several slices share a system (specificAct / outsideOfficeAct), the slice is the one whose
   * extension `url` carries this code.
   */
  discriminator?: { url: string; code: string };
  variants?: OrgVariant[];
}

export interface CodingSlicing {
  /** Child holding the CodeableConcept that tells the slice; absent = the occurrence itself. */
  path?: string;
  slices: CodingSlice[];
  /** Occurrences matching no slice: allowed, reported as a warning, or errors (closed slicing). */
  others: 'allow' | 'warn' | 'error';
}

/** A ROR profile: the resource type it constrains and the rules on the resource root. */
export interface Profile {
  url: string;
  resourceType: string;
  /** Short name, e.g. `ror-healthcareservice`. */
  name: string;
  label: Text;
  elements: ElementRule[];
  extensions: ExtensionRule[];
  /** Organization: which variant (EJ/EG/OI) a resource is, so that variant-specific rules apply. */
  variantOf?: (resource: Record<string, unknown>) => OrgVariant | undefined;
}
