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
      'sign in', 'signin', 'log in', 'login', 'log-in', 'verify your account', 'verify your identity', 'confirm your identity', 'confirm your account', 'confirm your details',
      'account suspended', 'account has been suspended', 'account is suspended', 'account locked', 'account has been locked', 'unlock your account', 'account will be closed',
      'reactivate your account', 'update your payment', 'update your billing', 'update your details', 'enter your password', 'reset your password', 'enter your card',
      'one-time code', 'one time code', 'otp', '2fa code', 'security code', 'seed phrase', 'recovery phrase', 'secret phrase', 'wallet connect', 'connect your wallet', 'validate your wallet',
      'unusual activity', 'unusual sign-in', 'suspicious activity on your account', 'urgent action required', 'within 24 hours', 'within 48 hours', 'verify now', 'claim your refund',
      'your parcel', 'your package', 'redelivery fee', 'delivery fee', 'customs fee', 'pending delivery', 'tax refund',
      // es
      'iniciar sesion', 'inicia sesion', 'verifica tu cuenta', 'verifique su cuenta', 'confirma tu identidad', 'confirme sus datos', 'cuenta suspendida', 'cuenta bloqueada',
      'desbloquear tu cuenta', 'actualiza tus datos', 'introduce tu contrasena', 'clave de acceso', 'acceso clientes', 'su paquete', 'tu paquete', 'reembolso pendiente',
      // fr
      'se connecter', 'connectez-vous', 'verifiez votre compte', 'confirmez votre identite', 'confirmez vos informations', 'compte suspendu', 'compte bloque', 'debloquer votre compte',
      'mettre a jour vos informations', 'saisissez votre mot de passe', 'code de verification', 'votre colis', 'frais de reexpedition', 'frais de livraison', 'remboursement en attente',
      // de
      'anmelden', 'einloggen', 'konto verifizieren', 'bestatigen sie ihre identitat', 'konto gesperrt', 'konto wurde gesperrt', 'konto entsperren', 'aktualisieren sie ihre daten',
      'geben sie ihr passwort', 'sicherheitscode', 'ihr paket', 'zustellgebuhr',
      // pt
      'fazer login', 'faca login', 'entrar na sua conta', 'verifique sua conta', 'confirme sua identidade', 'confirme seus dados', 'conta suspensa', 'conta bloqueada',
      'desbloquear sua conta', 'atualize seus dados', 'digite sua senha', 'codigo de verificacao', 'seu pacote', 'sua encomenda', 'taxa de entrega',
    ],
  },
  {
    name: 'credential words',
    category: 'phishing',
    weight: 0.15,
    phrases: ['password', 'passcode', 'contrasena', 'mot de passe', 'passwort', 'kennwort', 'senha', 'card number', 'cvv', 'numero de tarjeta', 'numero de carte', 'kartennummer', 'numero do cartao'],
  },
  {
    name: 'phishing named',
    category: 'phishing',
    weight: 0.35,
    phrases: [
      'phishing', 'phish*', 'credential harvesting', 'fake login', 'fake log-in', 'fake sign-in', 'spoofed login', 'spoofed site', 'spoofed website', 'smishing', 'vishing',
      'pagina falsa', 'sitio falso', 'faux site', 'page de connexion frauduleuse', 'hameconnage', 'gefalschte anmeldeseite', 'gefalschte webseite', 'site falso', 'pagina de login falsa',
    ],
  },
  // -- fraud: money is taken with the brand's name
  {
    name: 'giveaway or airdrop',
    category: 'fraud',
    weight: 0.45,
    phrases: [
      'giveaway', 'give away', 'giving away', 'airdrop', 'air drop', 'double your', 'send 0', 'send 1', 'send btc', 'send eth', 'send usdt', 'get 2 back', 'claim your reward',
      'claim your prize', 'claim your tokens', 'claim now', 'free crypto', 'free bitcoin', 'free tokens', 'free tickets', 'free flights', 'free vouchers', 'you have won', "you've won",
      'winner selected', 'generator', 'human verification', 'no survey', 'unlimited coins', 'unlimited gems', 'free gems', 'free coins',
      'sorteo', 'regalamos', 'regalo de', 'reclama tu premio', 'concours', 'cadeau', 'gagnez', 'reclamez', 'gewinnspiel', 'verlosung', 'gewinnen sie', 'sorteio', 'brinde', 'resgate seu premio', 'ganhe',
    ],
  },
  {
    name: 'investment or endorsement scheme',
    category: 'fraud',
    weight: 0.45,
    phrases: [
      'guaranteed return*', 'guaranteed profit*', 'guaranteed income', 'guaranteed yield', 'daily return*', 'daily profit*', 'passive income', 'investment opportunity', 'investment platform',
      'trading bot', 'trading platform', 'ponzi', 'pyramid scheme', 'multiply your', 'deepfake', 'deep fake', 'endorsed by', 'recommends this', 'get rich', 'earn up to', 'minimum deposit',
      'deposit and earn', 'keto', 'gummies', 'weight loss', 'miracle cure', 'miracle product', 'on live tv', 'secret revealed',
      'rentabilidad garantizada', 'ganancias garantizadas', 'plataforma de inversion', 'inversion minima', 'gominolas', 'perdio', 'adelgazar', 'rendement garanti', "plateforme d'investissement",
      'plateforme d investissement', 'investissement garanti', 'recommande cette', 'garantierte rendite', 'garantierter gewinn', 'investitionsplattform', 'abnehmen', 'retorno garantido',
      'lucro garantido', 'plataforma de investimento', 'renda passiva', 'emagrecer',
    ],
  },
  {
    name: 'payment scheme',
    category: 'fraud',
    weight: 0.4,
    phrases: [
      'fake invoice*', 'invoice scam', 'changed bank details', 'new bank details', 'updated bank details', 'bank details have changed', 'refund scam', 'recovery scam', 'recover your funds',
      'recover lost funds', 'fund recovery', 'processing fee', 'registration fee', 'upfront fee', 'advance fee', 'pay a fee', 'training fee', 'must buy', 'must pay', 'starter kit',
      'equipment fee', 'gift card*', 'western union', 'safe account', 'debt relief', 'relief program', 'settle for', 'miles for sale', 'sell miles', 'points for sale',
      'factura falsa', 'fausse facture', 'gefalschte rechnung', 'fatura falsa',
      'bankverbindung geandert', 'neue bankverbindung', 'nuevos datos bancarios', 'nouvelles coordonnees bancaires', 'novos dados bancarios', 'tasa de tramitacion', 'frais de dossier',
      'bearbeitungsgebuhr', 'taxa de inscricao', 'cuenta segura', 'compte securise', 'sicheres konto', 'conta segura',
    ],
  },
  {
    name: 'called a scam',
    category: null,
    weight: 0.2,
    phrases: ['scam*', 'fraud*', 'estafa*', 'fraude*', 'arnaque*', 'escroquerie*', 'betrug*', 'abzocke', 'golpe*'],
  },
  {
    name: 'victim report',
    category: 'fraud',
    weight: 0.35,
    phrases: [
      'i lost', 'we lost', 'lost my', 'lost our', 'now gone', 'money gone', 'got scammed', 'been scammed', 'was scammed', 'scammed me', 'took my money', 'never received', 'never arrived',
      'stole my', 'drained', 'confirmed transactions', 'victims', 'i paid', 'we paid', 'nothing received', 'received nothing', 'never got', 'rien recu', "j'ai paye", 'j ai paye',
      'pague', 'no recibi', 'nunca llego', 'ich habe bezahlt', 'nie angekommen', 'nichts erhalten', 'paguei', 'nao recebi', 'nunca chegou', 'he perdido', 'me estafaron', 'j ai perdu', "j'ai perdu", 'ich habe verloren', 'perdi', 'fui enganado', 'me enganaron',
    ],
  },
  {
    name: 'payment request',
    category: 'fraud',
    weight: 0.15,
    phrases: ['btc', 'bitcoin', 'ethereum', 'usdt', 'wallet address', 'paypal', 'bank transfer', 'transferencia', 'virement', 'uberweisung', 'pix', 'deposit', 'rechnung', 'invoice', 'factura', 'facture', 'fatura'],
  },
  {
    name: 'job offer',
    category: null,
    weight: 0,
    phrases: ['work from home', 'remote job', 'hiring now', 'job offer', 'recrute', 'recrutement', 'a domicile', 'desde casa', 'trabajo desde casa', 'home office', 'de casa', "offre d'emploi", 'oferta de empleo', 'stellenangebot', 'oferta de emprego', 'per hour', 'hr'],
  },
  // -- data_leak: the organization's or its customers' data or secrets exposed
  {
    name: 'data offered',
    category: 'data_leak',
    weight: 0.45,
    phrases: [
      'dump', 'dumped', 'database dump', 'db dump', 'combo list', 'combolist', 'combo-list', 'fullz', 'stealer log*', 'infostealer', 'redline', 'lumma', 'raccoon', 'vidar', 'logs',
      'credentials for sale', 'accounts for sale', 'database for sale', 'data for sale', 'selling access', 'access for sale', 'initial access', 'exposed database', 'exposed bucket',
      'open bucket', 's3 bucket', 'exposed elasticsearch', 'elasticsearch', 'kibana', 'exposed mongodb', 'publicly accessible', 'left exposed', 'index of', 'leaked source', 'source code leak',
      'hardcoded', 'hard-coded', 'env file', 'dotenv', 'email:pass', 'user:pass', 'mail:pass', 'cookies', 'sessions', 'leak site', 'publication in', 'will be published', 'data will be',
      'ransomware group', 'kyc', 'pnr', 'internal', 'confidential', 'do not distribute', 'internal use only', 'postman', 'config',
      'volcado', 'base de datos a la venta', 'datos a la venta', 'donnees a vendre', 'base de donnees', 'datenbank', 'daten zum verkauf', 'banco de dados', 'dados a venda', 'interne', 'interno',
      'vertraulich', 'confidentiel', 'confidencial',
    ],
  },
  {
    name: 'leak reported',
    category: 'data_leak',
    weight: 0.2,
    phrases: [
      'leak', 'leaked', 'leaks', 'breach', 'breached', 'data breach', 'hacked', 'ransomware', 'extortion', 'filtracion', 'filtrado*', 'filtrada*', 'fuite', 'fuite de donnees', 'divulgue*',
      'datenleck', 'datenpanne', 'geleakt', 'vazamento', 'vazado*', 'vazada*', 'brecha', 'violacion de datos', 'violation de donnees', 'violacao de dados', 'expuestos', 'exposees', 'expostos',
    ],
  },
  // -- impersonation: an account, app, site or person posing as the brand or its people
  {
    name: 'posing as official',
    category: 'impersonation',
    weight: 0.3,
    phrases: [
      'official support', 'customer support', 'customer service', 'customer care', 'patient support', 'support team', 'help desk', 'helpdesk', 'support account', 'support line',
      'official account', 'official page', 'official app', 'verified account', 'fake account*', 'fake profile*', 'impersonat*', 'pretending to be', 'posing as', 'poses as',
      'claims to be', 'clone app', 'cloned app', 'fake app', 'not the real', 'community manager', 'soporte oficial', 'atencion al cliente', 'cuenta oficial', 'cuenta falsa', 'perfil falso',
      'suplant*', 'support officiel', 'service client', 'compte officiel', 'faux compte', 'faux profil', 'usurp*', 'offizieller support', 'kundenservice', 'kundendienst', 'offizielles konto',
      'gefalschtes konto', 'gefalschtes profil', 'suporte oficial', 'atendimento', 'conta oficial', 'conta falsa', 'se passando por', 'se faisant passer',
    ],
  },
  {
    name: 'asks for details by message',
    category: 'impersonation',
    weight: 0.25,
    phrases: [
      'dm us', 'dm me', 'message us', 'message me', 'send us your', 'send me your', 'contact us on whatsapp', 'whatsapp', 'telegram', 'ecrivez-moi', 'ecrivez-nous', 'envoyez-nous',
      'escribenos', 'escribeme', 'mandame', 'envianos', 'schreiben sie uns', 'schick mir', 'envie-nos', 'me chama', 'chame no',
    ],
  },
  {
    name: 'sideloaded or unofficial software',
    category: 'impersonation',
    weight: 0.4,
    phrases: ['apk', 'mod apk', 'sideload*', 'third-party app store', 'download the new', 'setup.exe', '.exe', 'postinstall', 'npm i', 'pip install', 'early access download', 'beta download'],
  },
  // -- trademark: unauthorized commercial use of the marks
  {
    name: 'counterfeit or unlicensed goods',
    category: 'trademark',
    weight: 0.45,
    phrases: [
      'counterfeit*', 'replicas', 'replica bag*', 'replica watch*', 'knockoff*', 'knock-off*', 'fake goods', 'bootleg', 'not licensed', 'unlicensed', 'non-licensed', 'official style',
      'inspired by', 'aaa quality', '1:1 quality', 'mirror quality', 'grey market', 'gray market', 'unauthorized reseller*', 'unauthorised reseller*', 'non-official reseller', 'unofficial reseller',
      'unauthorized dealer*', 'falsificacion*', 'falsificado*', 'imitacion', 'contrefacon*', 'contrefait*', 'falschung*', 'gefalscht*', 'plagiat*', 'nachahmung', 'imitacao', 'pirata',
    ],
  },
  {
    name: 'resale listing',
    category: 'trademark',
    weight: 0.35,
    phrases: [
      'brand new', 'free shipping', 'ships from', 'sold', 'in stock', 'add to cart', 'wholesale', 'mixed lot', 'lot of', 'end of season', 'clearance', 'destockage', 'restposten', 'liquidation',
      'outlet', 'steam key', 'cd key', 'cdkey', 'key global', 'license key', 'licence key', 'lizenz', 'licencia', 'sofortlieferung', 'sofort-download', 'instant delivery', 'instant download',
      'statt', 'au lieu de', 'en lugar de', 'livraison offerte', 'envio gratis', 'frete gratis', 'versandkostenfrei', 'a partir de',
    ],
  },
  {
    name: 'parked or for sale',
    category: 'trademark',
    weight: 0.5,
    phrases: [
      'domain for sale', 'domain is for sale', 'may be for sale', 'buy this domain', 'make an offer', 'parked free', 'parked domain', 'domain parking', 'related searches', 'sponsored listings',
      'dominio en venta', 'domaine a vendre', 'peut-etre a vendre', 'est a vendre', 'domain kaufen', 'zu verkaufen', 'dominio a venda', 'esta a venda',
    ],
  },
  {
    name: 'trading under the name',
    category: 'trademark',
    weight: 0.25,
    phrases: ['llc', 'ltd', 'gmbh', 'sarl', 'ltda', 'boutique', 'tienda', 'loja', 'restaurante', 'salon', 'bakery', 'plumbing', 'consulting'],
  },
  // -- negative_press: an incident reported about the organization
  {
    name: 'incident reported',
    category: 'negative_press',
    weight: 0.4,
    phrases: [
      'lawsuit', 'sued', 'sue', 'sues', 'suing', 'class action', 'class-action', 'fined', 'fine of', 'fines', 'penalty', 'penalised', 'penalized', 'settles', 'settled', 'settlement', 'regulator*',
      'investigation', 'investigated', 'probe', 'probed', 'recall', 'recalls', 'recalled', 'outage', 'outages', 'down for', 'went down', 'is down', 'app down', 'servers down', 'were down',
      'locked out', 'service disruption', 'disrupted', 'layoff*', 'lays off', 'laid off', 'job cuts', 'cuts jobs', 'cut jobs', 'scandal', 'boycott*', 'accused', 'allegations', 'alleged',
      'charged', 'indicted', 'whistleblower', 'misconduct', 'resigns', 'ousted', 'bankrupt*', 'insolvency', 'strike', 'walkout', 'grounded', 'stranded', 'cancels flights', 'banned', 'sanctioned',
      'cyberattack', 'cyber attack', 'ransomware attack', 'data breach', 'breach', 'hacked', 'hit by', 'criticism', 'criticized', 'criticised', 'backlash', 'outrage', 'misleading',
      'deceptive', 'violation*', 'contaminat*', 'deaths', 'died', 'injured', 'closes', 'closure', 'shut down', 'inspection', 'health code', 'diverts', 'datenpanne',
      'demanda*', 'demandado*', 'multa*', 'multado*', 'sancion*', 'investigacion', 'retirada', 'caida', 'interrupcion', 'despid*', 'escandalo', 'boicot', 'acusad*', 'huelga', 'quiebra',
      'ciberataque', 'hackeo', 'cierre*', 'cierran', 'inspeccion sanitaria', 'amende*', 'condamne*', 'poursuivi*', 'plainte', 'enquete', 'rappel', 'panne', 'licenciement*', 'scandale',
      'accuse*', 'greve', 'faillite', 'cyberattaque', 'piratage', 'fermer', 'fermeture', 'supprimer', 'suppression de postes', 'bussgeld', 'strafe', 'klage', 'verklagt', 'ermittlung*', 'ruckruf',
      'ausfall', 'storung', 'entlass*', 'stellenabbau', 'skandal', 'vorwurf*', 'streik', 'insolvenz', 'hackerangriff', 'cyberangriff', 'processo', 'processad*', 'multad*', 'investigacao',
      'falha', 'queda', 'instabilidade', 'demissoes', 'demite', 'escandalo', 'greve', 'falencia', 'ataque hacker', 'interdita*', 'fechad*',
    ],
  },
  // -- other: threats aimed at the organization that fit no other category
  {
    name: 'attack threat or doxxing',
    category: 'other',
    weight: 0.5,
    phrases: [
      'dox', 'doxx*', 'doxed', 'doxing', 'home address', 'home addresses', 'personal address', 'where he lives', 'where she lives', 'family members', 'ddos', 'booter', 'stresser', 'gbps',
      'take down your', 'take you offline', 'we will attack', 'we hit', 'or we will', 'you have until', 'or else', 'will be attacked', 'bomb threat', 'should burn', 'burn it down',
      'will pay for what', 'make them pay', 'watch your back', 'coming for you', 'deserve to die', 'swatting', 'hit list', 'insider*', 'looking for employees', 'pay employees',
      'recruiting employees', 'rogue employee', 'sim swap*', 'sim-swap*', 'port out', 'direccion de su casa', 'amenaza*', 'ataque ddos', 'adresse personnelle', 'menace*', 'privatadresse',
      'drohung*', 'bedroh*', 'endereco residencial', 'ameaca*',
    ],
  },
  {
    name: 'cracked software, cheats or exploits',
    category: 'other',
    weight: 0.5,
    phrases: [
      'cracked', 'crack', 'keygen', 'key generator', 'license generator', 'serial key*', 'nulled', 'warez', 'patched version', 'cheat*', 'aimbot', 'wallhack', 'hack tool', 'bot', 'bots',
      'exploit*', 'zero-day', 'zero day', '0day', '0-day', 'proof of concept', 'remote code execution', 'auth bypass', 'authentication bypass',
      'vulnerability for sale', 'free download', 'all lessons', 'mega link', 'course download', 'descarga gratis', 'telechargement gratuit',
      'kostenloser download', 'download gratis', 'crackeado', 'pirateado', 'piratee', 'gecrackt', 'craqueado',
    ],
  },
  // -- context: what makes a mention harmless, or who is speaking
  {
    name: 'reporting or research',
    category: null,
    weight: 0.3,
    phrases: [
      'report', 'reports', 'research*', 'blog', 'labs', 'study', 'survey', 'analysis', 'whitepaper', 'white paper', 'webinar', 'how to spot', 'how to identify', 'how to avoid', 'how to protect', 'warns',
      'awareness', 'explained', 'threat intelligence', 'according to', 'researchers', 'analysts', 'experts', 'surge', 'on the rise', 'trend', 'wave of', 'scammers are using',
      'what to know', 'informe', 'estudio', 'investigadores', 'como evitar', 'advierte', 'rapport', 'etude', 'chercheurs', 'comment eviter', 'bericht', 'studie', 'forscher', 'warnt',
      'relatorio', 'estudo', 'pesquisadores', 'alerta',
    ],
  },
  {
    name: 'not affected',
    category: null,
    weight: 0.5,
    phrases: [
      'not affected', 'unaffected', 'not impacted', 'no impact', 'not involved', 'no evidence', 'is not affiliated', 'not affiliated', 'not related to', 'unrelated to', 'unlike',
      'competitor*', 'rival*', 'no afectad*', 'no se vio afectad*', 'pas affecte*', 'nicht betroffen', 'nao afetad*', 'nao foi afetad*',
    ],
  },
  {
    name: 'opinion or review',
    category: null,
    weight: 0.3,
    phrases: [
      'review', 'reviews', 'rating', 'stars', 'my experience', 'customer experience', 'complaint', 'complaints', 'i think', 'anyone else', 'is it just me', 'does anyone', 'ask hn', 'reddit', 'forum', 'discussion', 'thread', 'community',
      'resena*', 'opinion*', 'avis', 'bewertung*', 'erfahrung*', 'avaliac*', 'reclamac*', 'reclamacao', 'queja*',
    ],
  },
  {
    name: 'fan or hobby content',
    category: null,
    weight: 0.4,
    phrases: [
      'fan account', 'fan page', 'fan club', 'fan community', 'fanart', 'fan art', 'fan-made', 'fan made', 'unofficial', 'not affiliated', 'parody', 'wiki', 'mods', 'nexus', "let's play",
      'lets play', 'gameplay', 'walkthrough', 'speedrun', 'cosplay', 'recipe', 'recipes', 'recreating', 'tribute', 'receta', 'recreando', 'recette', 'rezept', 'receita', 'no oficial', 'non officiel',
      'inoffiziell', 'nao oficial',
    ],
  },
  {
    name: "the organization's own voice",
    category: null,
    weight: 0.4,
    phrases: ['postmortem', 'post-mortem', 'press release', 'root cause', 'we apologize', 'we are sorry', 'our customers', 'communique', 'comunicado', 'pressemitteilung', 'nota oficial'],
  },
  {
    name: 'second-hand sale',
    category: null,
    weight: 0.3,
    phrases: ['used', 'pre-owned', 'preowned', 'second hand', 'second-hand', 'worn', 'vinted', 'occasion', 'gebraucht', 'usado', 'usada', 'segunda mano', 'seminovo', 'porte', 'portee'],
  },
  {
    name: 'ordinary business news',
    category: null,
    weight: 0.3,
    phrases: [
      'careers', 'career', 'we are hiring', 'join our team', 'join the', 'apply now', 'job description', 'status page', 'system status', 'all systems operational', 'press release', 'newsroom',
      'investor relations', 'quarterly results', 'earnings', 'funding', 'raises', 'award', 'awards', 'partnership', 'launches', 'announces', 'postmortem', 'post-mortem', 'empleo', 'carrieres',
      'karriere', 'vagas', 'carreiras',
    ],
  },
];

/** Words as the matcher sees them: folded text split on anything that is not a letter or digit. */
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

export function words(folded: string): string[] {
  // One pass over the characters: ASCII decided by code, only other characters (rare once text is
  // folded: dashes, quotes, ß, other scripts) by a Unicode class test. A regex split is slower.
  const result: string[] = [];
  let start = -1;
  for (let i = 0; i <= folded.length; i += 1) {
    const code = i < folded.length ? folded.charCodeAt(i) : 32;
    const isWordChar = code < 128 ? (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90) : LETTER_OR_DIGIT.test(folded[i]!);
    if (isWordChar) {
      if (start === -1) start = i;
    } else if (start !== -1) {
      result.push(folded.slice(start, i));
      start = -1;
    }
  }
  return result;
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
const SHORTEST_PREFIX = PREFIX_LENGTHS[0] ?? 1;
/** The first characters of every prefix phrase: most words start with none of them and skip the prefix look-ups. */
const PREFIX_STARTS = new Set([...BY_PREFIX.keys()].map((key) => key.slice(0, SHORTEST_PREFIX)));

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
    if (token.length < SHORTEST_PREFIX || !PREFIX_STARTS.has(token.slice(0, SHORTEST_PREFIX))) continue;
    for (const length of PREFIX_LENGTHS) {
      if (length > token.length) break;
      const prefixed = BY_PREFIX.get(token.slice(0, length));
      if (prefixed) for (const phrase of prefixed) record(phrase);
    }
  }
  return hits;
}
