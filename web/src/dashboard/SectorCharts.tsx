import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { PopulationRow, TrendPoint } from './types.ts';
import { pct } from './types.ts';

const COLORS = ['#000091', '#c9191e', '#18753c', '#b34000', '#6a6af4', '#716043', '#a558a0', '#009081', '#3a3a3a', '#e4794a'];
const percent = (v: number) => `${Math.round(v * 100)} %`;
const date = (iso: string) => new Date(`${iso}T00:00:00`).toLocaleDateString('fr-FR', { month: 'short', year: 'numeric' });

/** Current rate per sector (champ), as bars. The table of the section carries the same figures. */
export function SectorBars({ rows }: { rows: PopulationRow[] }) {
  const data = rows.map((r) => ({ field: r.field ?? '?', rate: r.rate }));
  return (
    <figure aria-label="Taux de peuplement par secteur (graphique ; les valeurs sont dans le tableau)" className="ror-chart">
      <ResponsiveContainer width="100%" height={280}>
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="field" />
          <YAxis domain={[0, 1]} tickFormatter={percent} />
          <Tooltip formatter={(v) => pct(Number(v))} />
          <Bar dataKey="rate" name="Taux de peuplement" fill="#000091" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** The rate of each sector at each kept quarterly snapshot. */
export function SectorTrend({ points }: { points: TrendPoint[] }) {
  const fields = [...new Set(points.flatMap((p) => p.rows.map((r) => r.field ?? '?')))].sort();
  const data = points.map((p) => ({
    date: date(p.referenceDate),
    ...Object.fromEntries(p.rows.map((r) => [r.field ?? '?', r.rate])),
  }));
  return (
    <figure aria-label="Évolution du taux de peuplement par secteur, instantanés trimestriels" className="ror-chart">
      <ResponsiveContainer width="100%" height={300}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="date" />
          <YAxis domain={[0, 1]} tickFormatter={percent} />
          <Tooltip formatter={(v) => pct(Number(v))} />
          <Legend />
          {fields.map((f, i) => (
            <Line key={f} type="monotone" dataKey={f} name={f} stroke={COLORS[i % COLORS.length]} strokeWidth={2} dot isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
