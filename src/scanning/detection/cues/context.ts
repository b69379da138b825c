import type { Cue } from './cue.ts';

/**
 * Who is speaking, in five languages: a researcher, a reviewer, a fan, the organization itself,
 * someone selling their own goods second-hand — voices that weigh against a threat — and the
 * parts of a victim's account (first person, a loss, having been deceived), which together are
 * the best evidence that a scheme using the brand's name is live.
 */
export const CONTEXT_CUES: readonly Cue[] = [
  {
    name: 'reporting or research',
    category: null,
    weight: 0.3,
    phrases: [
      'report', 'reports', 'research*', 'blog', 'labs', 'study', 'survey', 'analysis', 'whitepaper', 'white paper', 'webinar', 'how to spot', 'how to identify', 'how to avoid', 'how to protect',
      'how to detect', 'how to recognise', 'how to recognize', 'warns', 'awareness', 'explained', 'threat intelligence', 'according to', 'researchers', 'analysts', 'experts', 'surge', 'on the rise',
      'trend', 'wave of', 'scammers are using', 'what to know', 'what to do', "here's what", 'heres what', 'how to', 'being targeted', 'new scam',
      // The reporter's word for the culprits: a scheme never calls itself this.
      'scammers', 'fraudsters', 'cybercriminals', 'criminals', 'estafadores', 'ciberdelincuentes', 'escrocs', 'cybercriminels', 'betruger', 'golpistas', 'nueva estafa', 'que hacer',
      'nouvelle arnaque', 'voici comment', 'reconnaitre', 'que faire', 'neue masche', 'was tun', 'novo golpe', 'o que fazer', 'most counterfeited', 'most copied', 'most impersonated', 'most targeted', 'among the brands',
      'informe', 'estudio', 'investigadores', 'como evitar', 'como detectar', 'como identificar', 'como reconocer', 'marcas mas copiadas', 'entre las marcas', 'advierte',
      'rapport', 'etude', 'chercheurs', 'comment eviter', 'comment reconnaitre', 'comment detecter', 'comment reperer', 'parmi les marques', 'bericht', 'studie', 'forscher',
      'warnt', 'erkennen', 'so erkennen sie', 'ratgeber', 'unter den marken', 'relatorio', 'estudo', 'pesquisadores', 'alerta', 'como reconhecer', 'entre as marcas',
    ],
  },
  {
    name: 'not affected',
    category: null,
    weight: 0.5,
    phrases: [
      'not affected', 'unaffected', 'not impacted', 'no impact', 'not involved', 'no evidence', 'is not affiliated', 'not affiliated', 'not related to', 'unrelated to', 'unlike',
      'competitor*', 'rival*', 'cleared by', 'cleared of', 'exonerated', 'acquitted', 'absuelt*', 'blanchi*', 'freigesprochen', 'absolvid*', 'no afectad*', 'no se vio afectad*', 'no se ha visto afectad*', 'pas affecte*', 'pas concerne*', 'nicht betroffen', 'nao afetad*', 'nao foi afetad*',
    ],
  },
  {
    name: 'opinion or review',
    category: null,
    weight: 0.3,
    phrases: [
      'review', 'reviews', 'rating', 'stars', 'my experience', 'customer experience', 'complaint', 'complaints', 'i think', 'anyone else', 'is it just me', 'does anyone', 'ask hn', 'reddit', 'forum',
      'discussion', 'thread', 'community', 'resena*', 'opinion*', 'avis', 'bewertung*', 'erfahrung*', 'avaliac*', 'reclamac*', 'reclamacao', 'queja*', 'resenha',
    ],
  },
  {
    name: 'fan or hobby content',
    category: null,
    weight: 0.4,
    phrases: [
      'fan account', 'fan page', 'fan club', 'fan community', 'fanart', 'fan art', 'fan-made', 'fan made', 'unofficial', 'not affiliated', 'parody', 'wiki', 'mods', 'nexus', "let's play",
      'lets play', 'gameplay', 'walkthrough', 'speedrun', 'cosplay', 'recipe', 'recipes', 'recreating', 'tribute', 'receta', 'recreando', 'recette', 'rezepte', 'kochrezept*', 'receita', 'no oficial',
      'non officiel',
      'inoffiziell', 'nao oficial',
    ],
  },
  {
    // The organization warning its customers: impostors ask, the brand says it never will.
    name: 'says it never asks',
    category: null,
    weight: 0.4,
    phrases: [
      'we will never ask', 'we never ask', 'will never ask you', 'never ask for your', 'never ask you for', 'nunca te pediremos', 'nunca le pediremos', 'nunca pedimos', 'nunca solicitamos',
      'ne vous demanderons jamais', 'ne vous demandons jamais', 'ne demandons jamais', 'wir fragen nie', 'wir werden sie niemals', 'fragen niemals', 'nunca pediremos', 'nunca solicitaremos',
      'non chiediamo mai', 'non ti chiederemo mai', 'non le chiederemo mai', 'wij vragen nooit', 'we vragen nooit', 'vragen nooit om', 'nigdy nie prosimy', 'nigdy nie poprosimy', 'asla istemeyiz',
      'asla talep etmeyiz', 'asla sormayiz',
    ],
  },
  {
    // A prize draw that asks nothing of its entrants (no fee, no card, no login) takes nothing from them.
    name: 'free to enter',
    category: null,
    weight: 0,
    isQuiet: true,
    phrases: [
      'free to enter', 'no purchase necessary', 'entry is free', 'free entry', 'participacion gratuita', 'participation gratuite', 'teilnahme kostenlos', 'gratis mitmachen', 'participacao gratuita',
      'partecipazione gratuita', 'meedoen is gratis', 'deelname is gratis', 'udzial bezplatny', 'katilim ucretsiz',
    ],
  },
  {
    name: 'firmware or device code',
    category: null,
    weight: 0,
    isQuiet: true,
    phrases: ['firmware', 'bootloader', 'jtag', 'rom dump', 'memory dump', 'binary', 'ecu', 'chip'],
  },
  {
    name: 'teaching material',
    category: null,
    weight: 0,
    isQuiet: true,
    phrases: [
      'tutorial*', 'example client', 'examples', 'example code', 'sample code', 'code samples', 'sample app', 'demo app', 'starter kit', 'boilerplate', 'learning project', 'how to use the',
      'ejemplo*', 'exemple*', 'beispiel*', 'exemplo*', 'esempio', 'esempi', 'voorbeeld*', 'przyklad*', 'ornek*',
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
    phrases: [
      'used', 'pre-owned', 'preowned', 'second hand', 'second-hand', 'worn', 'vinted', 'occasion', 'gebraucht', 'privatverkauf', 'usado', 'usada', 'segunda mano', 'seminovo', 'porte', 'portee',
    ],
  },
  {
    name: 'ordinary business news',
    category: null,
    weight: 0.3,
    phrases: [
      'careers', 'career', 'we are hiring', 'join our team', 'join the', 'apply now', 'job description', 'status page', 'system status', 'all systems operational', 'press release', 'newsroom',
      'investor relations', 'quarterly results', 'earnings', 'funding', 'raises', 'award', 'awards', 'partnership', 'launches', 'announces', 'postmortem', 'post-mortem', 'empleo', 'carrieres',
      'karriere', 'vagas de emprego', 'carreiras',
    ],
  },
  // -- a victim's account, read together (rules.ts): first person, a loss, and having been deceived
  {
    name: 'first person',
    category: null,
    weight: 0,
    isQuiet: true,
    // Singular: "we" and "our" are as often a company's or a researcher's voice as a victim's.
    phrases: [
      'i', 'my', 'me', 'yo', 'mi', 'mis', 'je', 'j', 'mon', 'ma', 'mes', 'moi', 'ich', 'mein', 'meine', 'meinen', 'mir', 'mich', 'eu', 'meu', 'minha', 'meus', 'minhas',
      // Spanish and Portuguese drop the pronoun: verbs that can only be said in the first person.
      'comprei', 'paguei', 'recebi', 'perdi', 'transferi', 'recibi', 'hice', 'fiz',
    ],
  },
  {
    name: 'a loss',
    category: null,
    weight: 0,
    isQuiet: true,
    phrases: [
      'paid', 'lost', 'sent them', 'transferred', 'deposit', 'emptied', 'took out', 'was charged', 'been charged', 'got charged', 'blocked me', 'never received', 'me cobraron',
      'debite', 'abgebucht', 'fui cobrado', 'cobraram', 'never arrived', 'scammed', 'stolen', 'disappeared', 'charged me', 'someone else', 'had been changed',
      "can't reverse", 'cant reverse', 'cannot reverse', 'disconnected', 'gone', 'pague', 'perdi', 'transferi', 'me bloquearon', 'nunca llego', 'desaparecio', 'vaciaron', 'timado', 'paye',
      'perdu', 'jamais recu', 'disparu', 'vide mon compte', 'bezahlt', 'uberwiesen', 'verloren', 'nie angekommen', 'verschwunden', 'leergeraumt', 'paguei', 'nunca recebi', 'me bloquearam',
      'saiu do ar', 'sumiu', 'nunca chegou', 'esvaziaram', "didn't arrive", 'did not arrive', "didn't receive", 'did not receive', "haven't received", 'never showed up', 'never came', 'left my account',
      'taken from my account', 'no llego', 'no me llego', 'pas arrive', 'jamais arrive', 'nicht angekommen', 'nao chegou',
    ],
  },
  {
    name: 'deceived',
    category: null,
    weight: 0,
    isQuiet: true,
    phrases: [
      'claiming to be', 'claimed to be', 'pretending to be', 'pretended to be', 'posing as', 'said they were', 'said he was', 'said she was', 'thought it was', 'thinking it was', 'believing it was',
      'looked exactly like', 'looked legit', 'looked real', 'looked official', 'fake', 'scammer*', 'impostor*', 'haciendose pasar', 'diciendo que eran', 'creyendo que era', 'pensando que era',
      'parecia oficial', 'se faisant passer', 'pretendant etre', 'pensant que c etait', 'croyant que c etait', 'semblait officiel', 'escroc*', 'arnaqueur*', 'angeblich', 'gab sich als',
      'gaben sich als', 'dachte es ware', 'sah echt aus', 'betruger*', 'achando que era', 'dizendo ser', 'se dizendo', 'golpista*', 'estafador*',
      'turned out to be', 'was not them', "wasn't them", 'not the real', 'looked like it came from', 'appeared to be from', 'supposedly from', 'resulto ser', 'no eran ellos', 'ce n etait pas',
      'stellte sich heraus', 'acabou sendo', 'nao eram eles',
    ],
  },
  {
    name: 'lured into acting',
    category: null,
    weight: 0,
    isQuiet: true,
    // What a lure makes its victim do: follow its link, or do what the caller asked. Contact alone ("I got an
    // email from Acme about my refund") is how a customer describes the brand's own service too.
    phrases: [
      'clicked the link', 'clicked on the link', 'clicked a link', 'followed the link', 'tapped the link', 'asked me to pay', 'asked me to transfer', 'asked me to enter', 'asked me to confirm', 'asked me to install',
      'told me to pay', 'told me to transfer', 'told me to install', 'made me pay', 'had me pay', 'had me install', 'hice clic en el enlace', 'pinche en el enlace', 'me pidieron que pagara',
      'me pidieron que transfiriera', 'me pidieron mis datos', 'j ai clique sur le lien', 'on m a demande de payer', 'on m a demande de virer', 'ich habe auf den link geklickt', 'sie baten mich',
      'ich sollte zahlen', 'ich sollte uberweisen', 'cliquei no link', 'me pediram para pagar', 'me pediram para transferir', 'ho cliccato', 'mi hanno chiesto di pagare', 'mi hanno chiesto di versare',
      'mi hanno chiesto i dati', 'op de link geklikt', 'via een link', 'ik moest eerst', 'ik moest betalen', 'kliknalem w link', 'kliknelam w link', 'kazali mi zaplacic', 'linke tikladim', 'benden istediler',
      'odememi istediler',
    ],
  },
  {
    name: 'claims to be official',
    category: null,
    weight: 0,
    isQuiet: true,
    phrases: ['official', 'offiziell*', 'oficial', 'officiel*', 'oficiais', 'authorised', 'authorized', 'autorizad*', 'autorise*', 'autorisiert*'],
  },
];
