/**
 * Rule-based extraction from meeting notes and similar documents: action items (with owner
 * and due date), decisions and facts. Sections are recognised by their headings ("Action
 * items", "Decisions", "Notes"…); lines outside them by their own cue words.
 */

export interface ActionItem {
  text: string;
  owner: string | null;
  due: string | null;
}
export interface ExtractedFact {
  text: string;
  attribute: string | null;
}
export interface Extraction {
  actionItems: ActionItem[];
  decisions: string[];
  facts: ExtractedFact[];
}

type Section = 'actions' | 'decisions' | 'facts' | null;

const SECTION_CUES: [Section, RegExp][] = [
  ['actions', /\b(action items?|actions|to-?dos?|next steps|follow[- ]?ups?|tasks)\b/i],
  ['decisions', /\b(decisions?|decided|agreed|agreements|resolutions?)\b/i],
  ['facts', /\b(facts?|notes?|context|background|preferences?|details|key points)\b/i],
];
const ACTION_LINE = /^(?:action|todo|to-do|ai)\s*[:\-–]\s*/i;
const DECISION_LINE = /^(?:decided|decision|agreed|we agreed|resolved)\b\s*[:\-–]?\s*/i;
const FACT_CUES: [string, RegExp][] = [
  ['preferred_tone', /\b(prefers?|preferred|likes?)\b.*\b(tone|formal|informal|casual|brief|concise|detailed|friendly)\b/i],
  ['billing_terms', /\b(net\s*\d+|payment terms|billing|invoic(e|ed|ing)|paid (monthly|quarterly|upfront)|retainer)\b/i],
  ['rate', /\b(rate|per hour|hourly|day rate|fee)\b.*\d/i],
  ['budget', /\bbudget\b/i],
  ['timezone', /\b(time ?zone|CET|PST|EST|UTC[+-]\d)\b/],
  ['preference', /\b(prefers?|preferred|please always|never)\b/i],
];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const clean = (line: string) => line.replace(/^\s*(?:[-*•+]|\d+[.)])\s*/, '').replace(/^\[[ xX]?\]\s*/, '').trim();

function headingSection(line: string): Section | undefined {
  // A Markdown heading, a short line ending in a colon, or (parsed documents lose the markup)
  // a short line with no sentence punctuation that names a section.
  const heading = /^\s*#{1,6}\s+(.+)$/.exec(line)?.[1] ?? /^\s*([^-*•\d].{0,40}):\s*$/.exec(line)?.[1] ?? (/^\s*[\p{Lu}][^.!?:]{0,30}$/u.test(line) && SECTION_CUES.some(([, re]) => re.test(line)) ? line : undefined);
  if (!heading) return undefined;
  return SECTION_CUES.find(([, re]) => re.test(heading))?.[0] ?? null;
}

export function extractFromNotes(text: string, now: string): Extraction {
  const out: Extraction = { actionItems: [], decisions: [], facts: [] };
  let section: Section = null;
  for (const raw of text.split(/\r?\n/)) {
    const heading = headingSection(raw);
    if (heading !== undefined) {
      section = heading;
      continue;
    }
    const line = clean(raw);
    if (line.length < 3) continue;
    if (ACTION_LINE.test(line) || (section === 'actions' && /[\p{L}]/u.test(line))) out.actionItems.push(actionItem(line.replace(ACTION_LINE, ''), now));
    else if (DECISION_LINE.test(line) || section === 'decisions') out.decisions.push(sentence(line.replace(DECISION_LINE, '')));
    else {
      const attribute = FACT_CUES.find(([, re]) => re.test(line))?.[0] ?? null;
      if (attribute || section === 'facts') out.facts.push({ text: sentence(line), attribute });
    }
  }
  return out;
}

const sentence = (s: string) => {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
};

function actionItem(line: string, now: string): ActionItem {
  const due = dueDate(line, new Date(now));
  const who = owner(line);
  // "Dana: send the logo" → owner Dana, text "Send the logo".
  const text = who && line.startsWith(`${who}:`) ? line.slice(who.length + 1).trim() : line;
  return { text: sentence(text.charAt(0).toUpperCase() + text.slice(1)), owner: who, due };
}

function owner(line: string): string | null {
  const patterns = [
    /@([\p{Lu}][\p{L}'-]+(?:\s[\p{Lu}][\p{L}'-]+)?)/u,
    /\((?:owner:\s*)?([\p{Lu}][\p{L}'-]+(?:\s[\p{Lu}][\p{L}'-]+)?)\)/u,
    /^([\p{Lu}][\p{L}'-]+(?:\s[\p{Lu}][\p{L}'-]+)?)\s*(?::|—|–|will|to)\s/u,
    /(?:owner|assigned to)\s*[:=]?\s*([\p{Lu}][\p{L}'-]+)/iu,
  ];
  for (const re of patterns) {
    const m = re.exec(line);
    if (m && !/^(Action|Todo|Decision|Next|The|We|Send|Review|Prepare|Share|Draft|Schedule)$/.test(m[1]!.split(' ')[0]!)) return m[1]!;
  }
  return null;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** "by Friday", "due 2026-12-01", "before Dec 3", "by tomorrow", "next week": relative to `now`. */
export function dueDate(line: string, now: Date): string | null {
  const m = /\b(?:by|due|before|until|on)\s+(?:(?:next|this)\s+)?([^,.;()]+)/i.exec(line);
  if (!m) return null;
  const phrase = m[1]!.toLowerCase().trim();
  const isoMatch = /(\d{4})-(\d{2})-(\d{2})/.exec(phrase);
  if (isoMatch) return `${isoMatch[1]}-${isoMatch[2]}-${isoMatch[3]}`;
  const base = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if (phrase.startsWith('tomorrow')) return iso(new Date(base.getTime() + 86_400_000));
  if (phrase.startsWith('today') || phrase.startsWith('end of day') || phrase.startsWith('eod')) return iso(base);
  if (phrase.startsWith('end of week') || phrase.startsWith('week')) return iso(nextWeekday(base, 5));
  const day = WEEKDAYS.findIndex((w) => phrase.startsWith(w) || phrase.startsWith(w.slice(0, 3)));
  if (day >= 0) return iso(nextWeekday(base, day));
  const md = /^([a-z]{3})[a-z]*\.?\s+(\d{1,2})|^(\d{1,2})\s+([a-z]{3})/.exec(phrase);
  if (md) {
    const month = MONTHS.indexOf((md[1] ?? md[4])!);
    const date = Number(md[2] ?? md[3]);
    if (month >= 0 && date >= 1 && date <= 31) {
      const d = new Date(Date.UTC(base.getUTCFullYear(), month, date));
      if (d < base) d.setUTCFullYear(d.getUTCFullYear() + 1);
      return iso(d);
    }
  }
  return null;
}

function nextWeekday(base: Date, day: number): Date {
  const delta = (day - base.getUTCDay() + 7) % 7 || 7;
  return new Date(base.getTime() + delta * 86_400_000);
}
