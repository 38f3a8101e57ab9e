import { useState, type FormEvent } from 'react';
import type { Price } from '../../../../../shared/domain/models';
import { useKeel } from '../../../store/store';

const amount = (s: string) => (/^\d+(\.\d+)?$/.test(s.trim()) ? Number(s) : null);
const EMPTY = { provider: '*', model: '', input: '', output: '' };

/** US dollars per million tokens, per provider and model ('*': the model on any provider). Local models cost nothing. */
export function PricesSection() {
  const prices = useKeel((s) => s.prices);
  const providers = useKeel((s) => s.providers).filter((p) => p.kind === 'openai-compatible');
  const setPrice = useKeel((s) => s.setPrice);
  const error = useKeel((s) => s.pricesError);
  const [d, setD] = useState(EMPTY);
  const inP = amount(d.input);
  const outP = amount(d.output);
  const valid = d.model.trim() !== '' && inP !== null && outP !== null;
  const edit = (p: Price) => setD({ provider: p.provider, model: p.model, input: String(p.inputPerMTok), output: String(p.outputPerMTok) });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (valid && (await setPrice({ provider: d.provider, model: d.model.trim(), inputPerMTok: inP, outputPerMTok: outP }))) setD(EMPTY);
  };
  return (
    <section aria-labelledby="prices-title">
      <h2 id="prices-title">Prices</h2>
      <p className="meta">US dollars per million tokens. A provider’s own row wins over the “any provider” row of the same model. Built-in and local GGUF models cost nothing.</p>
      {error && (
        <p className="error" role="alert">
          The price table could not be read: {error}
        </p>
      )}
      <table className="prices" aria-label="Price table">
        <thead>
          <tr>
            <th scope="col">Provider</th>
            <th scope="col">Model</th>
            <th scope="col">Input</th>
            <th scope="col">Output</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {prices.map((p) => (
            <tr key={`${p.provider}/${p.model}`}>
              <td>{p.provider === '*' ? <span className="meta">any provider</span> : p.provider}</td>
              <td className="mono">{p.model}</td>
              <td className="num">${p.inputPerMTok}</td>
              <td className="num">${p.outputPerMTok}</td>
              <td>
                <button type="button" className="link" onClick={() => edit(p)} aria-label={`Edit the price of ${p.model} (${p.provider === '*' ? 'any provider' : p.provider})`}>
                  Edit
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" aria-label="Set a price" onSubmit={(e) => void submit(e)}>
        <select value={d.provider} onChange={(e) => setD({ ...d, provider: e.target.value })} aria-label="Provider">
          <option value="*">any provider</option>
          {providers.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
        <input value={d.model} onChange={(e) => setD({ ...d, model: e.target.value })} placeholder="model" aria-label="Model" spellCheck={false} size={18} />
        <label>
          in $ <input inputMode="decimal" size={6} value={d.input} onChange={(e) => setD({ ...d, input: e.target.value })} aria-label="Input, dollars per million tokens" aria-invalid={d.input !== '' && inP === null} />
        </label>
        <label>
          out $ <input inputMode="decimal" size={6} value={d.output} onChange={(e) => setD({ ...d, output: e.target.value })} aria-label="Output, dollars per million tokens" aria-invalid={d.output !== '' && outP === null} />
        </label>
        <span className="meta">per million tokens</span>
        <button type="submit" disabled={!valid}>
          Save price
        </button>
      </form>
    </section>
  );
}
