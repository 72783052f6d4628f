/** Minimal structural types for FHIR JSON: resources are kept as plain JSON objects. */
export interface Coding {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
export interface Identifier {
  use?: string;
  type?: CodeableConcept;
  system?: string;
  value?: string;
}
export interface Meta {
  versionId?: string;
  lastUpdated?: string;
  profile?: string[];
  tag?: Coding[];
  security?: Coding[];
  source?: string;
}
export interface Resource {
  resourceType: string;
  id?: string;
  meta?: Meta;
  [key: string]: unknown;
}
export interface Reference {
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
}
export interface BundleEntry {
  fullUrl?: string;
  resource?: Resource;
  search?: { mode?: 'match' | 'include' | 'outcome'; score?: number; extension?: unknown[] };
  request?: { method: string; url: string; ifMatch?: string; ifNoneExist?: string; ifNoneMatch?: string; ifModifiedSince?: string };
  response?: { status: string; location?: string; etag?: string; lastModified?: string; outcome?: Resource };
}
export interface Bundle extends Resource {
  resourceType: 'Bundle';
  type: string;
  total?: number;
  link?: { relation: string; url: string }[];
  entry?: BundleEntry[];
}
