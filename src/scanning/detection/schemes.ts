/**
 * Intents that single phrases cannot carry, read from a finding's words in one pass each: a fee
 * asked of the reader, earnings promised per day or week, an attack announced in the attacker's
 * voice, the brand used as a style to sell other goods, and a victim's account.
 */

export const PAY = new Set([
  'pay', 'paying', 'remit', 'reglez', 'regler', 'payez', 'payer', 'paga', 'pagar', 'pague', 'abona', 'abone', 'zahlen', 'zahlst', 'bezahlen', 'uberweisen', 'uberweise', 'paguem', 'efetue',
  'deposit', 'transfira', 'transfiera', 'transferez', 'virez',
  // it, nl, pl, tr
  'paga', 'paghi', 'pagare', 'versa', 'versare', 'verse', 'betaal', 'betaalt', 'betalen', 'overmaken', 'zaplac', 'zaplacic', 'wplac', 'wplacic', 'przelej', 'ode', 'odeyin', 'odemeniz', 'yatirin',
]);
const FEE = new Set([
  'fee', 'fees', 'frais', 'gastos', 'tasa', 'taxa', 'taxe', 'cuota', 'kaution', 'anzahlung', 'deposito', 'caucao', 'deposit', 'sinal', 'senal', 'acompte', 'kit', 'matricula',
  'quota', 'commissione', 'spese', 'anticipo', 'kosten', 'borg', 'oplata', 'oplate', 'oplaty', 'kaucja', 'kaucje', 'ucret', 'ucreti', 'ucretini', 'depozito',
]);
const NO_FEE = new Set(['no', 'sin', 'sans', 'ohne', 'sem', 'free', 'gratis', 'kostenlos', 'gratuit', 'gratuito', 'keine', 'zero', 'never', 'nunca', 'jamais', 'nie', 'nessuna', 'geen', 'bez', 'ucretsiz', 'mai', 'nooit', 'nigdy', 'asla']);

/** What an applicant is told to buy before starting ("must buy the $120 kit", "pay £40 for your check"). */
export const BUY = new Set(['buy', 'purchase', 'comprar', 'compre', 'acheter', 'achetez', 'kaufen', 'kaufe', 'adquirir']);

const isFee = (token: string) => FEE.has(token) || (token.length > 6 && (token.endsWith('gebuhr') || token.endsWith('gebuhren') || token.endsWith('kosten') || token.endsWith('ucreti')));

/** "Pay the €19.90 processing fee", "réglez les frais de dossier", "überweisen Sie die Bearbeitungsgebühr": money asked before anything is given. */
export function feeAsked(tokens: readonly string[], isJobOffer = false): string | undefined {
  for (let i = 0; i < tokens.length; i += 1) {
    if (isJobOffer && (PAY.has(tokens[i]!) || BUY.has(tokens[i]!))) {
      const amount = tokens.slice(i + 1, i + 4).find((token) => /^\d/.test(token) || token === 'kit');
      if (amount) return `${tokens[i]} … ${amount}`;
    }
    if (!PAY.has(tokens[i]!)) continue;
    for (let j = Math.max(0, i - 6); j < Math.min(tokens.length, i + 7); j += 1) {
      if (j === i || !isFee(tokens[j]!)) continue;
      const from = Math.min(i, j);
      const window = tokens.slice(Math.max(0, from - 2), Math.max(i, j) + 1);
      if (window.some((token) => NO_FEE.has(token))) continue;
      return `${tokens[i]} … ${tokens[j]}`;
    }
  }
  return undefined;
}

const AMOUNT = String.raw`(?:(?:[$€£]|\br\$|\busd\b|\beur\b)\s?\d[\d.,]*\s?k?|\d[\d.,]*\s?k?\s?(?:€|£|\$|eur\b|euros?\b|usd\b|usdt\b|dollars?\b|pounds?\b|reais\b))`;
const PERIOD = String.raw`(?:day|week|month|hour|hr|h|dia|semana|mes|jour|semaine|mois|tag|woche|monat|stunde|std|hora|heure)s?\b`;
const EARNINGS = new RegExp(
  String.raw`${AMOUNT}\s?(?:\/\s?|(?:a|an|per|each|every|al|por|par|pro|cada|am|im|la|le)\s)${PERIOD}|${AMOUNT}\s(?:daily|weekly|diarios?|diarias?|par jour|taglich|por dia)|\d+(?:[.,]\d+)?\s?%\s?(?:a|per|al|por|par|pro)\s(?:year|month|week|day|ano|mes|an|mois|jahr|monat|dia)\b|returns? of \d+(?:[.,]\d+)?\s?%`,
);

const RETURNS = /%/;
const EARN = new Set([
  'earn', 'earns', 'earning', 'earnings', 'make', 'making', 'pays', 'paid', 'profit', 'profits', 'income', 'returns', 'yield', 'gana', 'ganar', 'ganancia', 'ganancias', 'gane', 'rendimiento',
  'gagnez', 'gagner', 'gagne', 'revenu', 'rendement', 'verdienen', 'verdiene', 'verdienst', 'gewinn', 'rendite', 'ganhe', 'ganha', 'ganhar', 'lucro', 'renda', 'rendimento', 'receive', 'recibe',
  'recebe', 'recoit', 'erhalten',
]);

/**
 * "Earn $300/day", "pays £1,200 a week", "returns of 9.5%": earnings promised, the bait of
 * investment, task and job scams — not a price per week or month (`isJobOffer`: a wage in a job ad counts).
 */
/** Every earnings pattern has a currency or a percent sign: text without one skips it. */
const MONEY_SIGN = /[$€£%]/;
/** Currency words an amount can be written with: a quiet cue finds them as words in the one pass. */
export const MONEY_WORDS = ['usd', 'usdt', 'eur', 'euro', 'euros', 'dollar', 'dollars', 'pound', 'pounds', 'reais'];
/** An amount glued to its currency (`300usd`, `12keur`) is one word. */
const GLUED_AMOUNT = /^\d*k?(?:usdt?|eur|euros?|dollars?|pounds?|reais)$/;

const isGluedAmount = (token: string) => (token.charCodeAt(0) <= 57 || token.charCodeAt(0) === 107) && GLUED_AMOUNT.test(token);

export function earningsPromised(folded: string, tokens: readonly string[], hostTokens: readonly string[], isJobOffer: boolean, namesCurrency: boolean): string | undefined {
  // Every pattern needs a currency (a sign, a word, or a word glued to the amount) or a percent sign.
  if (!namesCurrency && !MONEY_SIGN.test(folded) && !tokens.some(isGluedAmount) && !hostTokens.some(isGluedAmount)) return undefined;
  const found = EARNINGS.exec(folded)?.[0];
  if (!found) return undefined;
  return RETURNS.test(found) || isJobOffer || tokens.some((token) => EARN.has(token)) ? found : undefined;
}

const DISCOUNT = /(?:^|[\s(])-\s?[6-9]\d\s?%|\b[6-9]\d\s?%\s?(?:off|de descuento|de dto|de remise|de reduction|rabatt|de desconto)\b/;

/** "-70 %", "90% off": a discount no real stock is sold at, the bait of fake shops. */
export function implausibleDiscount(folded: string): string | undefined {
  if (!folded.includes('%')) return undefined;
  return DISCOUNT.exec(folded)?.[0].trim();
}

const OFFLINE = new Set(['offline']);
export const OFFLINE_PHRASES: readonly (readonly string[])[] = [['hors', 'ligne'], ['fuera', 'de', 'linea'], ['fora', 'do', 'ar'], ['vom', 'netz'], ['lahmlegen'], ['lahmgelegt']];
const OFFLINE_STARTS = new Set(OFFLINE_PHRASES.map((phrase) => phrase[0]!));
const ATTACKER_VOICE = new Set(['we', 'nous', 'nosotros', 'wir', 'nos', 'tomorrow', 'tonight', 'demain', 'manana', 'morgen', 'amanha', 'rejoignez', 'join', 'unete', 'junte']);
const ROUTINE = new Set(['maintenance', 'wartung', 'mantenimiento', 'manutencao', 'upgrade', 'scheduled', 'planned', 'programada', 'prevue', 'geplant']);

/**
 * An attack announced in the attacker's voice ("tomorrow we take their portal offline", "ses
 * serveurs seront mis hors ligne demain", `#OpAcme`), not an outage reported or maintenance planned.
 */
export function attackAnnounced(tokens: readonly string[], operationTags: ReadonlySet<string>): string | undefined {
  // One pass: an operation named for the brand decides at once; otherwise note what the rest needs.
  let isRoutine = false;
  let isOffline = false;
  let voice: string | undefined;
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    if (operationTags.has(token)) return `#${token}`;
    if (ROUTINE.has(token)) isRoutine = true;
    else if (OFFLINE.has(token) || (OFFLINE_STARTS.has(token) && OFFLINE_PHRASES.some((phrase) => phrase.every((word, k) => tokens[i + k] === word)))) isOffline = true;
    else if (voice === undefined && ATTACKER_VOICE.has(token)) voice = token;
  }
  return isOffline && !isRoutine && voice ? `offline, "${voice}"` : undefined;
}

export const STYLE = new Set([
  'style', 'estilo', 'tipo', 'facon', 'stil', 'inspired', 'dupe', 'replica', 'replique', 'nachbau', 'imitacao', 'imitation', 'imitacion', 'clone', 'approved', 'endorsed', 'signature',
]);

/** The brand or one of its people used to sell someone else's goods: "Acme style", "estilo Acme", "façon Acme", "Jane Roe approved". */
export function brandAsStyle(tokens: readonly string[], names: readonly (readonly string[])[]): string | undefined {
  // Style words are rare: look around them, not for every name at every position.
  let hasStyleWord = false;
  for (const token of tokens) if (STYLE.has(token)) hasStyleWord = true;
  if (!hasStyleWord) return undefined;
  for (const name of names) {
    for (let i = 0; i + name.length <= tokens.length; i += 1) {
      if (!name.every((t, k) => tokens[i + k] === t)) continue;
      const before = tokens[i - 1];
      const after = tokens[i + name.length];
      if (before !== undefined && STYLE.has(before)) return `${before} ${name.join(' ')}`;
      if (after !== undefined && STYLE.has(after)) return `${name.join(' ')} ${after}`;
    }
  }
  return undefined;
}

/** Words after a brand name that continue a sentence or a known kind of place, not a trade name. */
const NOT_A_TRADE_NAME = new Set([
  'vs', 'and', 'or', 'the', 'a', 'of', 'to', 'in', 'on', 'for', 'is', 'has', 'was', 'y', 'e', 'et', 'und', 'de', 'da', 'do', 'del', 'la', 'le', 'el', 'o', 'der', 'die', 'das', 'im', 'in',
  // The organization's own legal form ("Acme GmbH" is Acme).
  'ltd', 'limited', 'llc', 'inc', 'plc', 'gmbh', 'ag', 'sa', 'sl', 'sas', 'sarl', 'ltda', 'bv', 'nv', 'spa', 'srl', 'co', 'corp', 'group', 'grupo', 'groupe', 'gruppe',
]);

/** Kinds of business written before a name they trade under ("Restaurante Acme", "Apartamentos Acme"). */
const BUSINESS_BEFORE = new Set([
  'restaurante', 'restaurant', 'cafe', 'bar', 'hotel', 'hostal', 'apartamentos', 'apartments', 'appartements', 'boutique', 'tienda', 'loja', 'salon', 'clinica', 'clinic', 'clinique',
  'taller', 'garage', 'werkstatt', 'studio', 'agencia', 'agence', 'inmobiliaria', 'imobiliaria', 'autoescuela', 'farmacia', 'pharmacie', 'apotheke', 'transportes', 'construcciones',
]);

/** Whether a word names the organization's own kind of business ("hotel" for "Acme Hotels"): then it is the organization, not another business. */
const isOwnKind = (word: string, ownWords: ReadonlySet<string>) => [...ownWords].some((own) => own.length >= 4 && (own.startsWith(word) || word.startsWith(own)));

/**
 * A business trading under the brand's name: the name followed directly by a capitalized word of
 * its own ("Acme Solar Ltd", "Acme Déco – Boutique" — not the organization's names, products or
 * legal form), or preceded by a kind of business that is not the organization's ("Restaurante
 * Acme", "Apartamentos Acme" for a hotel chain). Run only on titles of pages that describe a
 * business or a place (a few findings).
 */
/** Runs of letters and digits in a title as written, with where they start and end. */
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

/** `lowers`: the words already lowercased, when they are known to be the same words (an ASCII title's folded words). */
function writtenWords(text: string, lowers?: readonly string[]): { text: string; lower: string; start: number; end: number }[] {
  const result: { text: string; lower: string; start: number; end: number }[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; ) {
    // By code point: ASCII decided by code, anything else by its Unicode class.
    const code = i < text.length ? text.codePointAt(i)! : 32;
    const width = code > 0xffff ? 2 : 1;
    const isWordCharacter = code < 128 ? (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90) : LETTER_OR_DIGIT.test(String.fromCodePoint(code));
    if (isWordCharacter) {
      if (start === -1) start = i;
    } else if (start !== -1) {
      const word = text.slice(start, i);
      result.push({ text: word, lower: lowers?.[result.length] ?? word.toLowerCase(), start, end: i });
      start = -1;
    }
    i += width;
  }
  return result;
}

const NAME_GAP = /^[\s.-]+$/;
const WORD_GAP = /^[ \t]+$/;
const LETTERS = /^\p{L}+$/u;
const CAPITALIZED = /^\p{Lu}/u;
const DIGIT_FIRST = /^\d/;

export function tradeName(title: string, titleTokens: readonly string[], names: readonly (readonly string[])[], ownWords: ReadonlySet<string>): string | undefined {
  // Only a name among the title's words, with a kind of business before it or a word after it that
  // could start a trade name, is worth reading the title as written.
  // Plain loops: this runs for most titles (they name the brand), and closures per name and word cost more than the test.
  let mayTrade = false;
  for (let i = 0; i < titleTokens.length && !mayTrade; i += 1) {
    for (const name of names) {
      if (titleTokens[i] !== name[0]) continue;
      let k = 1;
      while (k < name.length && titleTokens[i + k] === name[k]) k += 1;
      if (k < name.length) continue;
      const before = titleTokens[i - 1];
      const next = titleTokens[i + name.length];
      if ((before !== undefined && BUSINESS_BEFORE.has(before)) || (next !== undefined && !NOT_A_TRADE_NAME.has(next) && !DIGIT_FIRST.test(next))) {
        mayTrade = true;
        break;
      }
    }
  }
  if (!mayTrade) return undefined;
  const isAscii = /^[\x00-\x7f]*$/.test(title);
  const plain = isAscii ? title : title.normalize('NFKD').replace(/\p{M}/gu, '');
  // An ASCII title's folded words are its words lowercased, one for one.
  const written = writtenWords(plain, isAscii ? titleTokens : undefined);
  const isNameAt = (name: readonly string[], k: number) =>
    k + name.length <= written.length &&
    written[k]!.lower === name[0] &&
    name.every((t, n) => n === 0 || (written[k + n]!.lower === t && NAME_GAP.test(plain.slice(written[k + n - 1]!.end, written[k + n]!.start))));
  for (const name of names) {
    // Left to right, as a pattern "[word] name [next word]" reads it: a word that can lead the name
    // is taken as its "before", and each reading takes its words with it.
    let takenUpTo = 0;
    for (let p = 0; p < written.length; p += 1) {
      const word = written[p]!;
      if (word.start < takenUpTo) continue;
      const leads = p + 1 < written.length && isNameAt(name, p + 1) && LETTERS.test(word.text) && WORD_GAP.test(plain.slice(word.end, written[p + 1]!.start));
      if (!leads && !isNameAt(name, p)) continue;
      const first = leads ? p + 1 : p;
      const last = written[first + name.length - 1]!;
      const following = written[first + name.length];
      const hasNext = following !== undefined && WORD_GAP.test(plain.slice(last.end, following.start));
      takenUpTo = hasNext ? following.end : last.end;
      const before = leads ? word.lower : undefined;
      if (before && BUSINESS_BEFORE.has(before) && !isOwnKind(before, ownWords)) return `${before} ${name.join(' ')}`;
      if (!hasNext) continue;
      const folded = following.lower;
      if (NOT_A_TRADE_NAME.has(folded) || !CAPITALIZED.test(following.text) || ownWords.has(folded)) continue;
      return `${name.join(' ')} ${folded}`;
    }
  }
  return undefined;
}
