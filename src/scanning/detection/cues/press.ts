import type { Cue } from './cue.ts';

/**
 * Incidents a news story can attribute to an organization, in five languages: legal and regulatory
 * action, recalls, outages and failures, job cuts and closures, breaches and scandals. Whether the
 * story attributes the incident to the organization is decided by where the organization is named
 * (rules.ts, `isAttributed`); German separable verbs ("ruft … zurück", "baut … ab") count by their
 * two parts in one sentence (`SEPARABLE_INCIDENTS`).
 */
export const PRESS_CUES: readonly Cue[] = [
  {
    name: 'incident reported',
    category: 'negative_press',
    weight: 0.4,
    phrases: [
      // en
      'lawsuit', 'sued', 'sue', 'sues', 'suing', 'class action', 'class-action', 'fined', 'fine of', 'fine over', 'fine for', 'record fine', 'hit with', 'fines', 'mis-sold', 'mis-selling', 'penalty', 'penalised', 'penalized', 'settles', 'settled', 'settlement', 'regulator*',
      'watchdog', 'ombudsman', 'ordered to pay', 'ordered to refund', 'censured', 'reprimanded', 'investigation', 'investigated', 'probe', 'probed', 'recall', 'recalls', 'recalled',
      'outage', 'outages', 'down for', 'went down', 'is down', 'app down', 'servers down', 'were down', 'locked out', 'service disruption', 'disrupted', 'billing error', 'overcharged',
      'glitch', 'meltdown', 'it failure', 'crashed', 'crashes', 'layoff*', 'lays off', 'laid off', 'job cuts', 'job losses', 'job loss', 'cuts jobs', 'cut jobs', 'axes', 'to shut', 'shut', 'redundancies', 'scandal', 'boycott*', 'accused', 'allegations',
      'alleged', 'charged with', 'charged over', 'charges', 'indicted', 'whistleblower', 'misconduct', 'resigns', 'ousted', 'bankrupt*', 'insolvency', 'into administration', 'strike', 'walkout', 'grounded', 'stranded',
      'cancels flights', 'banned', 'sanctioned', 'cyberattack', 'cyber attack', 'ransomware attack', 'data breach', 'breach', 'hacked', 'hit by', 'criticism', 'criticized', 'criticised',
      'backlash', 'outrage', 'under fire', 'misleading', 'deceptive', 'violation*', 'contaminat*', 'deaths', 'died', 'injured', 'closes', 'closure', 'shut down', 'shuts', 'inspectors',
      'failed inspection', 'health inspection',
      'health code', 'diverts',
      // es
      'demanda*', 'demandado*', 'multa*', 'multado*', 'sancion*', 'expedient*', 'investigacion', 'investigada', 'investigado', 'retirada', 'retira', 'caida', 'interrupcion', 'despid*', 'despide',
      'ere', 'escandalo', 'boicot', 'acusad*', 'huelga', 'quiebra', 'concurso de acreedores', 'ciberataque', 'hackeo', 'cierre*', 'cierra', 'cierran', 'inspeccion sanitaria', 'contaminacion',
      'condenad*', 'fallo', 'averia', 'publicidad enganosa', 'cobros indebidos',
      // fr
      'amende*', 'condamne*', 'poursuivi*', 'plainte', 'enquete', 'rappel', 'rappelle', 'panne', 'pannes', 'licenciement*', 'licencie', 'plan social', 'scandale', 'accuse*', 'greve', 'faillite',
      'liquidation judiciaire', 'redressement judiciaire', 'cyberattaque', 'piratage', 'victime d une cyberattaque', 'fermer', 'fermeture', 'supprimer', 'supprime', 'suppression de postes',
      'sanctionne*', 'hors service', 'prives de', 'prives d',
      // de
      'bussgeld', 'strafe', 'klage', 'datenpanne', 'datenleck', 'verklagt', 'ermittlung*', 'ermittel*', 'manipuliert*', 'ruckruf', 'ruckrufaktion', 'ausfall', 'storung', 'storungen', 'panne', 'entlass*', 'stellenabbau', 'streicht',
      'skandal', 'vorwurf*', 'streik', 'insolvenz', 'hackerangriff', 'cyberangriff', 'schliesst', 'schliessung', 'werksschliessung', 'verurteilt', 'abmahnung', 'sanktion*', 'kartellstrafe',
      // pt
      'processo', 'processad*', 'multad*', 'coima', 'coimas', 'investigacao', 'investigad*', 'recolher', 'recolhe', 'recolha', 'recolhimento', 'retira', 'falha', 'queda', 'instabilidade', 'apagao',
      'demissoes', 'demite', 'despedimento*', 'layoff', 'escandalo', 'greve', 'falencia', 'recuperacao judicial', 'ataque hacker', 'interdita*', 'fechad*', 'encerra', 'encerramento',
      'condenad*', 'cobrancas indevidas', 'sancionad*', 'autuad*', 'encerrad*',
    ],
  },
];

/**
 * German separable verbs: the stem and its particle in one sentence report an incident ("ruft …
 * zurück": recalls), some only with a third word ("baut … Stellen ab": cuts jobs, not "baut
 * Schulden ab").
 */
export const SEPARABLE_INCIDENTS: readonly { stem: string; particle: string; with?: readonly string[] }[] = [
  { stem: 'ruft', particle: 'zuruck' },
  { stem: 'rufen', particle: 'zuruck' },
  { stem: 'fallt', particle: 'aus' },
  { stem: 'fielen', particle: 'aus' },
  { stem: 'baut', particle: 'ab', with: ['stellen', 'arbeitsplatze', 'jobs'] },
  { stem: 'bauen', particle: 'ab', with: ['stellen', 'arbeitsplatze', 'jobs'] },
];

/**
 * Job cuts counted ("to cut 600 jobs", "recorta 300 empleos", "supprime 200 postes"): a verb of
 * cutting and a noun of jobs within a few words, in five languages.
 */
export const JOB_CUT_VERBS = new Set(['cut', 'cuts', 'cutting', 'axe', 'axes', 'slash', 'slashes', 'shed', 'sheds', 'eliminate', 'eliminates', 'recorta', 'elimina', 'suprime', 'supprime', 'supprimer', 'streicht', 'corta', 'extingue']);
export const JOB_NOUNS = new Set(['jobs', 'roles', 'staff', 'positions', 'workers', 'employees', 'empleos', 'puestos', 'trabajadores', 'postes', 'emplois', 'salaries', 'stellen', 'arbeitsplatze', 'empregos', 'postos', 'trabalhadores']);

/**
 * Nouns that make a name part of another entity: a club, a place, a building or a street
 * ("Acme Rovers", "Acme Parish Council", "Villa Acme", "Rua Acme"). An incident about that entity
 * is not an incident about the organization.
 */
export const ENTITY_NOUNS_AFTER = new Set([
  'rovers', 'fc', 'afc', 'athletic', 'wanderers', 'rangers', 'village', 'town', 'city', 'parish', 'council', 'county', 'borough', 'bridge', 'road', 'street', 'lane', 'avenue', 'park',
  'hill', 'valley', 'estate', 'hall', 'station', 'farm', 'manor', 'abbey', 'castle', 'church', 'chapel', 'museum', 'lake', 'river', 'strasse', 'weg', 'platz', 'gemeinde', 'grundschule',
]);
export const ENTITY_NOUNS_BEFORE = new Set([
  'villa', 'hotel', 'residencial', 'residence', 'condominio', 'edificio', 'calle', 'rua', 'rue', 'avenida', 'colegio', 'escola', 'ecole', 'mount', 'lake', 'fort', 'saint', 'san', 'santa', 'sao',
]);
