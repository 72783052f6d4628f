import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isTerminologyFile, NosFileError, nosCanonicalUrl, nosNameFromUrl, parseFhirJson, parseTabs } from './nos-files.ts';
import { defaultNosDir } from './nos-terminology.ts';

const NOS = defaultNosDir();
const read = (f: string) => fs.readFileSync(path.join(NOS, f), 'utf8');

test('a .tabs TRE file: metadata line, one concept per row, Date fin → retired', () => {
  const text = read('TRE_R02-SecteurActivite.tabs');
  const lines = text.split('\n').filter(Boolean);
  const cs = parseTabs('TRE_R02-SecteurActivite.tabs', text).codeSystem!;
  assert.equal(cs.url, nosCanonicalUrl('TRE_R02-SecteurActivite'));
  assert.equal(cs.oid, lines[1].split(';')[0]);
  assert.equal(cs.version, lines[1].split(';')[7]);
  assert.equal(cs.concepts.length, lines.length - 3);
  const retired = lines.slice(3).filter((l) => l.split(';')[6] !== '').map((l) => l.split(';')[1]);
  assert.deepEqual(cs.concepts.filter((c) => c.retired).map((c) => c.code), retired);
});

test('CRLF line endings give the same result', () => {
  const text = read('JDV_J30-TemporaliteAccueil-ROR.tabs');
  assert.deepEqual(parseTabs('x.tabs', text.replace(/\n/g, '\r\n')), parseTabs('x.tabs', text));
});

test('a row with a missing field is reported with its file and line', () => {
  const lines = read('TRE_R04-TypeSavoirFaire.tabs').split('\n');
  lines[4] = lines[4].split(';').slice(0, 5).join(';');
  assert.throws(
    () => parseTabs('TRE_R04-TypeSavoirFaire.tabs', lines.join('\n')),
    (err: NosFileError) => err instanceof NosFileError && err.line === 5 && /TRE_R04-TypeSavoirFaire\.tabs:5/.test(err.message),
  );
});

test('the canonical URL comes from the name, not from a malformed url field', () => {
  const vs = parseFhirJson('JDV_J186-ProfessionRessource-ROR-FHIR.json', read('JDV_J186-ProfessionRessource-ROR-FHIR.json')).valueSet!;
  assert.match(JSON.parse(read('JDV_J186-ProfessionRessource-ROR-FHIR.json')).url, /\.tabs/);
  assert.equal(vs.url, nosCanonicalUrl('JDV_J186-ProfessionRessource-ROR'));
  const j202 = parseTabs('JDV_J202-ESPIC-ROR.tabs', read('JDV_J202-ESPIC-ROR.tabs')).valueSet!;
  assert.equal(j202.name, 'JDV_J202-ESPIC-ROR');
  assert.equal(nosNameFromUrl('https://mos.esante.gouv.fr/NOS/JDV_J18-ProfessionRessource-ROR.tabs/FHIR/JDV-J186-ProfessionRessource-ROR'), 'JDV_J18-ProfessionRessource-ROR');
});

test('IG-publisher JSON (CRLF): NOS version taken from the date, retired from dateFin', () => {
  const cs = parseFhirJson('CodeSystem-TRE-R30-RegionOM.json', read('CodeSystem-TRE-R30-RegionOM.json')).codeSystem!;
  const src = JSON.parse(read('CodeSystem-TRE-R30-RegionOM.json'));
  assert.equal(src.version, '0.1.0');
  assert.equal(cs.version?.slice(0, 8), src.date.slice(0, 10).replace(/-/g, ''));
  const ended = src.concept.filter((c: any) => c.property?.some((p: any) => p.code === 'dateFin')).length;
  assert.ok(ended > 0);
  assert.equal(cs.concepts.filter((c) => c.retired).length, ended);
});

test('only terminology files are read from a folder', () => {
  assert.ok(isTerminologyFile('JDV_J17-ActiviteOperationnelle-ROR-FHIR.json'));
  assert.ok(isTerminologyFile('ValueSet-act-type-ror-valueset.json'));
  assert.ok(!isTerminologyFile('SearchParameter-ror-sp-nb-capacity.json'));
  assert.ok(!isTerminologyFile('CapabilityStatement-ror-serveur.json'));
});
