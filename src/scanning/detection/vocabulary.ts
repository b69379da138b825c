import type { ThreatCategory } from '../../db/schema/enums.ts';

/**
 * What findings say, by intent, in English, Spanish, French, German and Portuguese. Words are
 * written folded (lowercase, no accents) because text is folded before matching; each phrase
 * matches at word boundaries, and a trailing `*` matches any ending (`hack*`: hacked, hackers).
 *
 * These are intents, not brands or stories: who is asking for a password, who is offering money,
 * who is selling data, what happened to whom. A phrase belongs here when it says the same thing
 * about any organization.
 */
export interface Cue {
  /** Shown in explanations. */
  name: string;
  /** The category this cue argues for, or none for context cues. */
  category: ThreatCategory | null;
  weight: number;
  phrases: readonly string[];
}

export const CUES: readonly Cue[] = [
  // -- phishing: someone asks for credentials or payment data, or a fake login is described
  {
    name: 'credential lure',
    category: 'phishing',
    weight: 0.3,
    phrases: [
      'sign in', 'signin', 'log in', 'login', 'log-in', 'verify your account', 'verify your identity', 'confirm your identity', 'confirm your account',
      'account suspended', 'account has been suspended', 'account is suspended', 'account locked', 'account has been locked', 'unlock your account',
      'reactivate your account', 'update your payment', 'update your billing', 'update your details', 'enter your password', 'reset your password',
      'one-time code', 'one time code', 'otp', '2fa code', 'security code', 'seed phrase', 'recovery phrase', 'private key', 'wallet connect', 'connect your wallet',
      'unusual activity', 'unusual sign-in', 'suspicious activity on your account', 'urgent action required', 'within 24 hours', 'verify now',
      // es
      'iniciar sesion', 'inicia sesion', 'verifica tu cuenta', 'verifique su cuenta', 'confirma tu identidad', 'cuenta suspendida', 'cuenta bloqueada', 'desbloquear tu cuenta',
      'actualiza tus datos', 'introduce tu contrasena', 'clave de acceso',
      // fr
      'se connecter', 'connectez-vous', 'verifiez votre compte', 'confirmez votre identite', 'compte suspendu', 'compte bloque', 'debloquer votre compte',
      'mettre a jour vos informations', 'saisissez votre mot de passe', 'code de verification',
      // de
      'anmelden', 'einloggen', 'konto verifizieren', 'bestatigen sie ihre identitat', 'konto gesperrt', 'konto wurde gesperrt', 'konto entsperren',
      'aktualisieren sie ihre daten', 'geben sie ihr passwort', 'sicherheitscode',
      // pt
      'fazer login', 'faca login', 'entrar na sua conta', 'verifique sua conta', 'confirme sua identidade', 'conta suspensa', 'conta bloqueada', 'desbloquear sua conta',
      'atualize seus dados', 'digite sua senha', 'codigo de verificacao',
    ],
  },
  {
    name: 'credential words',
    category: 'phishing',
    weight: 0.15,
    phrases: ['password', 'passcode', 'credentials', 'contrasena', 'mot de passe', 'passwort', 'kennwort', 'senha', 'identifiants', 'zugangsdaten', 'credenciales', 'credenciais', 'pin'],
  },
  {
    name: 'phishing named',
    category: 'phishing',
    weight: 0.35,
    phrases: [
      'phishing', 'phish*', 'credential harvesting', 'fake login', 'fake log-in', 'fake sign-in', 'spoofed login', 'spoofed site', 'spoofed website', 'lookalike domain',
      'look-alike domain', 'typosquat*', 'smishing', 'vishing', 'pagina falsa', 'sitio falso', 'faux site', 'page de connexion frauduleuse', 'hameconnage',
      'gefalschte anmeldeseite', 'gefalschte webseite', 'site falso', 'pagina de login falsa',
    ],
  },
  // -- fraud: money is taken with the brand's name
  {
    name: 'giveaway or airdrop',
    category: 'fraud',
    weight: 0.45,
    phrases: [
      'giveaway', 'give away', 'giving away', 'airdrop', 'air drop', 'double your', 'send 0.', 'send btc', 'send eth', 'send usdt', 'claim your reward', 'claim your prize',
      'claim your tokens', 'claim now', 'free crypto', 'free bitcoin', 'free tokens', 'free tickets', 'free flights', 'free vouchers', 'you have won', "you've won", 'winner selected',
      'sorteo', 'regalamos', 'regalo de', 'reclama tu premio', 'concours', 'cadeau', 'gagnez', 'reclamez', 'gewinnspiel', 'verlosung', 'gewinnen sie', 'sorteio', 'brinde', 'resgate seu premio', 'ganhe',
    ],
  },
  {
    name: 'investment scheme',
    category: 'fraud',
    weight: 0.45,
    phrases: [
      'guaranteed return*', 'guaranteed profit*', 'guaranteed income', 'daily return*', 'daily profit*', 'passive income', 'investment opportunity', 'investment platform', 'trading bot',
      'ponzi', 'pyramid scheme', 'multiply your', 'deepfake', 'deep fake', 'endorse*', 'get rich', 'earn up to', 'returns of', 'roi of', 'minimum deposit', 'deposit and earn',
      'rentabilidad garantizada', 'ganancias garanticadas', 'inversion minima', 'invierte', 'rendement garanti', 'investissement garanti', 'placement', 'investissez',
      'garantierte rendite', 'garantierter gewinn', 'investieren sie', 'retorno garantido', 'lucro garantido', 'invista', 'renda passiva',
    ],
  },
  {
    name: 'payment scheme',
    category: 'fraud',
    weight: 0.4,
    phrases: [
      'fake invoice*', 'invoice scam', 'refund scam', 'recovery scam', 'recover your funds', 'recover lost funds', 'fund recovery', 'processing fee', 'registration fee', 'upfront fee',
      'advance fee', 'pay a fee', 'training fee', 'gift card*', 'wire the', 'western union', 'job offer', 'work from home', 'hiring now', 'refund department', 'tech support scam',
      'scam*', 'fraud*', 'estafa*', 'fraude*', 'arnaque*', 'escroquerie*', 'betrug*', 'abzocke', 'golpe*', 'factura falsa', 'fausse facture', 'gefalschte rechnung', 'fatura falsa',
      'tasa de tramitacion', 'frais de dossier', 'bearbeitungsgebuhr', 'taxa de inscricao', 'oferta de empleo', "offre d'emploi", 'stellenangebot', 'oferta de emprego',
    ],
  },
  {
    name: 'payment request',
    category: 'fraud',
    weight: 0.2,
    phrases: ['btc', 'bitcoin', 'ethereum', 'usdt', 'wallet address', 'crypto', 'paypal', 'bank transfer', 'transferencia', 'virement', 'uberweisung', 'pix', 'deposit'],
  },
  // -- data_leak: the organization's or its customers' data or secrets exposed
  {
    name: 'leaked data',
    category: 'data_leak',
    weight: 0.45,
    phrases: [
      'leak', 'leaked', 'leaks', 'dump', 'dumped', 'database dump', 'db dump', 'combo list', 'combolist', 'combo-list', 'fullz', 'stealer log*', 'infostealer', 'credentials for sale',
      'accounts for sale', 'database for sale', 'data for sale', 'selling access', 'access for sale', 'initial access', 'exposed database', 'exposed bucket', 'open bucket',
      's3 bucket', 'exposed elasticsearch', 'exposed mongodb', 'publicly accessible', 'left exposed', 'source code', 'api key*', 'access token*', 'private key*', 'secret key*',
      'hardcoded', 'hard-coded', 'email:pass', 'user:pass', 'mail:pass', 'customer records', 'customer data', 'personal data of', 'records of', 'paste', 'pastebin',
      'filtracion', 'filtrado*', 'filtrada*', 'base de datos', 'volcado', 'fuite', 'fuite de donnees', 'divulgue*', 'base de donnees', 'datenleck', 'geleakt', 'datenbank', 'leck',
      'vazamento', 'vazado*', 'vazada*', 'banco de dados', 'dados vazados', 'expostos', 'expuestos', 'exposees', 'offengelegt',
    ],
  },
  {
    name: 'breach named',
    category: 'data_leak',
    weight: 0.2,
    phrases: ['breach', 'breached', 'data breach', 'brecha', 'violacion de datos', 'violation de donnees', 'datenpanne', 'violacao de dados', 'hacked', 'hack', 'ransomware', 'extortion'],
  },
  // -- impersonation: an account, app, site or person posing as the brand or its people
  {
    name: 'posing as official',
    category: 'impersonation',
    weight: 0.35,
    phrases: [
      'official support', 'customer support', 'customer service', 'support team', 'help desk', 'helpdesk', 'support account', 'support line', 'dm us', 'dm me', 'message us on',
      'contact us on whatsapp', 'whatsapp', 'telegram', 'verified account', 'official account', 'official page', 'official app', 'fan page', 'parody', 'fake account*', 'fake profile*',
      'impersonat*', 'pretending to be', 'posing as', 'poses as', 'claims to be', 'clone app', 'cloned app', 'fake app', 'modded', 'mod apk', 'apk', 'sideload*', 'third-party app store',
      'not the real', 'soporte oficial', 'atencion al cliente', 'cuenta oficial', 'cuenta falsa', 'perfil falso', 'suplant*', 'support officiel', 'service client', 'compte officiel',
      'faux compte', 'faux profil', 'usurp*', 'offizieller support', 'kundenservice', 'kundendienst', 'offizielles konto', 'gefalschtes konto', 'gefalschtes profil', 'suporte oficial',
      'atendimento', 'conta oficial', 'conta falsa', 'perfil falso', 'se passando por', 'se faisant passer',
    ],
  },
  // -- trademark: unauthorized commercial use of the marks
  {
    name: 'counterfeit or unauthorized sale',
    category: 'trademark',
    weight: 0.45,
    phrases: [
      'counterfeit*', 'replica*', 'knockoff*', 'knock-off*', 'fake goods', 'imitation', 'bootleg', 'unauthorized reseller*', 'unauthorised reseller*', 'unauthorized dealer*', 'grey market',
      'gray market', 'aaa quality', '1:1 quality', 'mirror quality', 'cheap outlet', 'factory outlet', 'wholesale', 'falsificacion*', 'falsificado*', 'replica', 'imitacion', 'contrefacon*',
      'contrefait*', 'imitation', 'copie', 'falschung*', 'gefalscht*', 'plagiat*', 'nachahmung', 'falsificado*', 'pirata', 'imitacao',
    ],
  },
  {
    name: 'parked or for sale',
    category: 'trademark',
    weight: 0.45,
    phrases: [
      'domain for sale', 'domain is for sale', 'this domain may be for sale', 'buy this domain', 'make an offer', 'parked free', 'parked domain', 'domain parking', 'sedo', 'dan.com', 'afternic',
      'related searches', 'sponsored listings', 'dominio en venta', 'domaine a vendre', 'domain kaufen', 'domain steht zum verkauf', 'dominio a venda',
    ],
  },
  {
    name: 'trading under the name',
    category: 'trademark',
    weight: 0.25,
    phrases: ['llc', 'ltd', 'gmbh', 'sarl', 'ltda', 'inc.', 'shop', 'store', 'boutique', 'tienda', 'loja', 'restaurant', 'salon', 'bakery', 'cafe', 'plumbing', 'consulting'],
  },
  // -- negative_press: an incident reported about the organization
  {
    name: 'incident reported',
    category: 'negative_press',
    weight: 0.4,
    phrases: [
      'lawsuit', 'sued', 'sues', 'suing', 'class action', 'class-action', 'fined', 'fine of', 'fines', 'penalty', 'penalised', 'penalized', 'settle*', 'regulator*', 'investigation',
      'investigated', 'probe', 'probed', 'recall', 'recalls', 'recalled', 'outage', 'outages', 'down for', 'went down', 'service disruption', 'disrupted', 'layoff*', 'lays off', 'laid off',
      'job cuts', 'cuts jobs', 'scandal', 'boycott*', 'accused', 'allegations', 'alleged', 'charged', 'indicted', 'whistleblower', 'misconduct', 'resigns', 'ousted', 'bankrupt*',
      'insolvency', 'strike', 'walkout', 'grounded', 'delays', 'cancellations', 'stranded', 'suspended by', 'banned', 'sanctioned', 'cyberattack', 'cyber attack', 'ransomware attack',
      'data breach', 'breach', 'hacked', 'hit by', 'criticized', 'criticised', 'backlash', 'outrage', 'misleading', 'deceptive', 'violat*', 'contaminat*', 'deaths', 'died', 'injured',
      'demanda*', 'demandado*', 'multa*', 'multado*', 'sancion*', 'investigacion', 'retirada', 'caida', 'interrupcion', 'despidos', 'escandalo', 'boicot', 'acusad*', 'huelga', 'quiebra',
      'ciberataque', 'hackeo', 'amende*', 'condamne*', 'poursuivi*', 'plainte', 'enquete', 'rappel', 'panne', 'licenciements', 'scandale', 'accuse*', 'greve', 'faillite', 'cyberattaque',
      'piratage', 'bussgeld', 'strafe', 'klage', 'verklagt', 'ermittlung*', 'ruckruf', 'ausfall', 'storung', 'entlassung*', 'stellenabbau', 'skandal', 'vorwurf*', 'streik', 'insolvenz',
      'hackerangriff', 'cyberangriff', 'processo', 'processad*', 'multad*', 'investigacao', 'falha', 'queda', 'instabilidade', 'demissoes', 'escandalo', 'acusad*', 'greve', 'falencia',
      'ataque hacker', 'ciberataque',
    ],
  },
  // -- other: threats aimed at the organization that fit no other category
  {
    name: 'attack threat or doxxing',
    category: 'other',
    weight: 0.5,
    phrases: [
      'dox', 'doxx*', 'doxed', 'doxing', 'home address', 'home addresses', 'personal address', 'family members', 'ddos', 'd.dos', 'take down your', 'take you offline', 'we will attack',
      'will be attacked', 'bomb threat', 'bomb', 'shoot*', 'kill', 'burn down', 'threaten*', 'threat to', 'swatting', 'hit list', 'insider*', 'looking for employees', 'pay employees',
      'recruiting employees', 'rogue employee', 'direccion de su casa', 'amenaza*', 'ataque ddos', 'adresse personnelle', 'menace*', 'privatadresse', 'drohung*', 'bedroh*', 'endereco residencial', 'ameaca*',
    ],
  },
  {
    name: 'cracked software or exploit',
    category: 'other',
    weight: 0.5,
    phrases: [
      'cracked', 'crack', 'keygen', 'key generator', 'license key generator', 'serial key*', 'activation key*', 'nulled', 'warez', 'patched version', 'loader', 'cheat*', 'aimbot', 'wallhack',
      'exploit*', 'zero-day', 'zero day', '0day', '0-day', 'proof of concept', 'poc', 'rce', 'remote code execution', 'auth bypass', 'authentication bypass', 'bypass', 'vulnerability for sale',
      'crackeado', 'pirateado', 'piratee', 'gecrackt', 'craqueado',
    ],
  },
  // -- context: what makes a mention harmless, or who is speaking
  {
    name: 'reporting or research',
    category: null,
    weight: 0.3,
    phrases: [
      'report', 'research*', 'study', 'survey', 'analysis', 'whitepaper', 'white paper', 'webinar', 'how to spot', 'how to identify', 'how to avoid', 'how to protect',
      'warns', 'awareness', 'advisory', 'explained', 'threat intelligence', 'according to', 'researchers', 'analysts', 'experts',
      'informe', 'estudio', 'investigadores', 'como evitar', 'advierte', 'rapport', 'etude', 'chercheurs', 'comment eviter', 'alerte', 'bericht', 'studie', 'forscher', 'warnt',
      'relatorio', 'estudo', 'pesquisadores', 'como evitar', 'alerta',
    ],
  },
  {
    name: 'not affected',
    category: null,
    weight: 0.5,
    phrases: [
      'not affected', 'unaffected', 'not impacted', 'no impact', 'were not involved', 'not involved', 'no evidence', 'is not affiliated', 'not related to', 'unrelated to', 'unlike',
      'competitor*', 'rival*', 'no afectad*', 'no se vio afectad*', 'pas affecte*', 'nicht betroffen', 'nao afetad*', 'nao foi afetad*',
    ],
  },
  {
    name: 'opinion or review',
    category: null,
    weight: 0.3,
    phrases: [
      'review', 'reviews', 'rating', 'stars', 'my experience', 'customer experience', 'complaint', 'complaints', 'i think', 'anyone else', 'ask hn', 'show hn', 'reddit',
      'resena*', 'opinion*', 'avis', 'bewertung*', 'erfahrung*', 'avaliac*', 'reclamac*', 'reclamacao', 'queja*',
    ],
  },
  {
    name: 'hiring or official notice',
    category: null,
    weight: 0.3,
    phrases: ['careers', 'career', 'we are hiring', 'join our team', 'apply now', 'job description', 'status page', 'system status', 'all systems operational', 'press release', 'newsroom', 'investor relations', 'empleo', 'carrieres', 'karriere', 'vagas', 'carreiras'],
  },
];

/** Words as the matcher sees them: folded text split on anything that is not a letter or digit. */
export function words(folded: string): string[] {
  return folded.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

interface Phrase {
  cue: string;
  text: string;
  /** The phrase's words after the first. */
  rest: string[];
  /** The last word may continue (`hack*`: hacked, hackers). */
  isPrefix: boolean;
}

/**
 * Every phrase indexed by its first word (and, for one-word prefixes, by that prefix), built once
 * per process: matching is one pass over a finding's words with a map look-up each, however many
 * phrases there are, instead of one regular expression per phrase.
 */
const BY_FIRST_WORD = new Map<string, Phrase[]>();
const BY_PREFIX = new Map<string, Phrase[]>();
for (const cue of CUES) {
  for (const raw of cue.phrases) {
    const isPrefix = raw.endsWith('*');
    const phraseWords = words(isPrefix ? raw.slice(0, -1) : raw);
    if (phraseWords.length === 0) continue;
    const phrase: Phrase = { cue: cue.name, text: raw.replace(/\*$/, ''), rest: phraseWords.slice(1), isPrefix };
    const index = isPrefix && phraseWords.length === 1 ? BY_PREFIX : BY_FIRST_WORD;
    const list = index.get(phraseWords[0]!) ?? [];
    list.push(phrase);
    index.set(phraseWords[0]!, list);
  }
}
const PREFIX_LENGTHS = [...new Set([...BY_PREFIX.keys()].map((key) => key.length))].sort((a, b) => a - b);

function matchesAt(tokens: readonly string[], at: number, phrase: Phrase): boolean {
  for (let k = 0; k < phrase.rest.length; k += 1) {
    const token = tokens[at + 1 + k];
    const expected = phrase.rest[k]!;
    if (token === undefined) return false;
    const isLast = k === phrase.rest.length - 1;
    if (isLast && phrase.isPrefix ? !token.startsWith(expected) : token !== expected) return false;
  }
  return true;
}

/** The phrases of each cue that occur in a finding's words. */
export function matchCues(tokens: readonly string[]): Map<string, string[]> {
  const hits = new Map<string, string[]>();
  const record = (phrase: Phrase) => {
    const list = hits.get(phrase.cue);
    if (!list) hits.set(phrase.cue, [phrase.text]);
    else if (!list.includes(phrase.text)) list.push(phrase.text);
  };
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    const candidates = BY_FIRST_WORD.get(token);
    if (candidates) for (const phrase of candidates) if (matchesAt(tokens, i, phrase)) record(phrase);
    for (const length of PREFIX_LENGTHS) {
      if (length > token.length) break;
      const prefixed = BY_PREFIX.get(token.slice(0, length));
      if (prefixed) for (const phrase of prefixed) record(phrase);
    }
  }
  return hits;
}
