/**
 * A synthetic `PS_LibreAcces_Personne_activite` file for the import benchmark (same 52 columns + trailing
 * `|` as the public extraction, see shared/data/README.md §2). Shape of the national file: ≈ 1.6 activity
 * lines per professional, ≈ 85 % of lines with a practice structure shared by ≈ 3 activities, private
 * practice (L) for ≈ 45 % of lines; real communes and postcodes; real NOS codes (TRE_G15 professions,
 * JDV_J210 specialities, TRE_R23 modes, TRE_R02 sectors). Names are made up. Deterministic (seeded).
 */
import fs from 'node:fs';
import path from 'node:path';
import { geoDataDir } from '../src/geo/shared-data.ts';

const HEADER = "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|Prénom d'exercice|Code profession|Libellé profession|Code catégorie professionnelle|Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|Code savoir-faire|Libellé savoir-faire|Code mode exercice|Libellé mode exercice|Numéro SIRET site|Numéro SIREN site|Numéro FINESS site|Numéro FINESS établissement juridique|Identifiant technique de la structure|Raison sociale site|Enseigne commerciale site|Complément destinataire (coord. structure)|Complément point géographique (coord. structure)|Numéro Voie (coord. structure)|Indice répétition voie (coord. structure)|Code type de voie (coord. structure)|Libellé type de voie (coord. structure)|Libellé Voie (coord. structure)|Mention distribution (coord. structure)|Bureau cedex (coord. structure)|Code postal (coord. structure)|Code commune (coord. structure)|Libellé commune (coord. structure)|Code pays (coord. structure)|Libellé pays (coord. structure)|Téléphone (coord. structure)|Téléphone 2 (coord. structure)|Télécopie (coord. structure)|Adresse e-mail (coord. structure)|Code Département (structure)|Libellé Département (structure)|Ancien identifiant de la structure|Autorité d'enregistrement|Code secteur d'activité|Libellé secteur d'activité|Code section tableau pharmaciens|Libellé section tableau pharmaciens|";

/** [code, label, weight, speciality [code, label] for médecins]. */
const PROFESSIONS: [string, string, number][] = [
  ['10', 'Médecin', 30], ['60', 'Infirmier', 30], ['70', 'Masseur-Kinésithérapeute', 10], ['21', 'Pharmacien', 8],
  ['40', 'Chirurgien-Dentiste', 5], ['50', 'Sage-Femme', 3], ['91', 'Orthophoniste', 3], ['80', 'Pédicure-Podologue', 2],
  ['93', 'Psychologue', 5], ['92', 'Orthoptiste', 1], ['94', 'Ergothérapeute', 1], ['96', 'Psychomotricien', 1], ['95', 'Diététicien', 1],
];
const SPECIALITIES: [string, string][] = [['SM54', 'Médecine générale'], ['SM26', 'Qualifié en Médecine Générale'], ['SM20', 'Gynécologie-obstétrique'], ['SM04', 'Cardiologie et maladies vasculaires'], ['SM42', 'Pédiatrie']];
const MODES: [string, string, number][] = [['L', 'Libéral', 45], ['S', 'Salarié', 50], ['B', 'Bénévole', 5]];
const SECTORS: [string, string][] = [['SA07', 'Cabinet individuel'], ['SA08', 'Cabinet de groupe'], ['SA09', 'Exercice en société'], ['SA01', 'Etablissement public de santé'], ['SA05', 'Centre de santé']];
const FAMILY = ['MARTIN', 'BERNARD', 'THOMAS', 'PETIT', 'ROBERT', 'RICHARD', 'DURAND', 'DUBOIS', 'MOREAU', 'LAURENT', 'SIMON', 'MICHEL', 'LEFEBVRE', 'LEROY', 'ROUX', 'DAVID', 'BERTRAND', 'MOREL', 'FOURNIER', 'GIRARD'];
const GIVEN = ['Camille', 'Louise', 'Léa', 'Hugo', 'Lucas', 'Jules', 'Emma', 'Chloé', 'Nathan', 'Manon', 'Paul', 'Sarah', 'Inès', 'Louis', 'Jeanne'];
const STREETS = ['DE LA REPUBLIQUE', 'VICTOR HUGO', 'DU GENERAL DE GAULLE', 'JEAN JAURES', 'DE LA GARE', 'PASTEUR', 'DES ECOLES'];

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted<T extends unknown[]>(rand: () => number, list: T[], weight: (t: T) => number): T {
  const total = list.reduce((s, t) => s + weight(t), 0);
  let x = rand() * total;
  for (const t of list) if ((x -= weight(t)) < 0) return t;
  return list[list.length - 1];
}

interface Commune { code: string; name: string; postcode: string; dep: string }

function communes(): Commune[] {
  const lines = fs.readFileSync(path.join(geoDataDir(), 'communes-centroides-cog2026.csv'), 'utf8').split(/\r?\n/).slice(1);
  const out: Commune[] = [];
  for (const l of lines) {
    // code_insee,nom,type,departement,… ; names may hold commas only when quoted: skip those rows.
    const f = l.split(',');
    if (f.length !== 11 || f[2] !== 'commune-actuelle' || !f[10]) continue;
    out.push({ code: f[0], name: f[1].toUpperCase(), postcode: f[10].trim().split(/[ ;|]/)[0], dep: f[3] });
  }
  return out;
}

/** Writes `lines` activity lines to `file`; answers the number of distinct professionals and structures. */
export async function writeSyntheticRpps(file: string, lines: number, seed = 42): Promise<{ professionals: number; structures: number }> {
  const rand = rng(seed);
  const places = communes();
  const out = fs.createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(HEADER + '\n');
  let written = 0;
  let person = 0;
  let structures = 0;
  const openStructures: { id: string; commune: Commune; street: string; n: number; sector: [string, string]; left: number }[] = [];
  while (written < lines) {
    person++;
    const idPP = String(10000000000 + person * 7);
    const prof = weighted(rand, PROFESSIONS, (p) => p[2]);
    const family = FAMILY[Math.floor(rand() * FAMILY.length)];
    const given = GIVEN[Math.floor(rand() * GIVEN.length)];
    const activities = Math.min(lines - written, rand() < 0.55 ? 1 : rand() < 0.7 ? 2 : 3);
    for (let a = 0; a < activities; a++) {
      const mode = weighted(rand, MODES, (m) => m[2]);
      const spec = prof[0] === '10' ? SPECIALITIES[Math.floor(rand() * SPECIALITIES.length)] : undefined;
      const f: string[] = new Array(52).fill('');
      f[0] = '8';
      f[1] = idPP;
      f[2] = '8' + idPP;
      f[5] = rand() < 0.5 ? 'M' : 'MME';
      f[6] = f[5] === 'M' ? 'Monsieur' : 'Madame';
      f[7] = family;
      f[8] = given;
      f[9] = prof[0];
      f[10] = prof[1];
      f[11] = 'C';
      f[12] = 'Civil';
      if (spec) [f[13], f[14], f[15], f[16]] = ['S', 'Spécialité ordinale', spec[0], spec[1]];
      [f[17], f[18]] = [mode[0], mode[1]];
      if (rand() < 0.85) {
        // Reuse an open structure (≈ 3 activities each), or open a new one.
        let s = openStructures.length && rand() < 0.66 ? openStructures[Math.floor(rand() * openStructures.length)] : undefined;
        if (!s) {
          structures++;
          const commune = places[Math.floor(rand() * places.length)];
          s = { id: `R${String(10000000 + structures)}`, commune, street: STREETS[Math.floor(rand() * STREETS.length)], n: 1 + Math.floor(rand() * 120), sector: SECTORS[Math.floor(rand() * SECTORS.length)], left: 1 + Math.floor(rand() * 5) };
          openStructures.push(s);
          if (openStructures.length > 2000) openStructures.splice(Math.floor(rand() * openStructures.length), 1);
        }
        if (--s.left <= 0) openStructures.splice(openStructures.indexOf(s), 1);
        f[23] = s.id;
        f[24] = `CABINET ${family}`;
        f[28] = String(s.n);
        f[30] = 'R';
        f[31] = 'Rue';
        f[32] = s.street;
        f[34] = `${s.commune.postcode} ${s.commune.name}`;
        f[35] = s.commune.postcode;
        f[36] = s.commune.code;
        f[37] = s.commune.name;
        f[40] = `01${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
        f[44] = s.commune.dep;
        [f[48], f[49]] = s.sector;
      }
      f[47] = 'RPPS/ONM/ONM';
      await write(f.join('|') + '|\n');
      written++;
    }
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { professionals: person, structures };
}
