import type { Severity, ThreatCategory } from '../../db/schema/enums.ts';
import type { CandidateFinding, ReadFinding } from './subject.ts';

const YEAR = /\b(19[89]\d|20[0-4]\d)\b/;

/**
 * Formal action or harm: a regulator, a court, an inquiry, a fine, a sanction, a disciplinary
 * body, people hurt — in every language the rules read. Reported about the organization, it is
 * high; and a word that is also a customer's ("complaints", "review", "reclami") is its evidence there.
 */
const FORMAL_INCIDENT =
  /fine|sue|lawsuit|class action|regulat|watchdog|ombudsman|ordered to|settle|sanction|penal|charged|indicted|inspector|failed inspection|health inspection|health code|multa|sancion|amende|condamn|klage|verklagt|bussgeld|strafe|demanda|processo|coima|inspeccion|investigation|probe|enquete|ermittl|investigacion|investigacao|poursuivi|expedient|condenad|verurteilt|tribunal|inquiry|inquest|malpractice|negligence|disciplin|struck off|court|ruled|squalific|deferit|istruttoria|indagin|procedimento|denuncia|sequestro|procura|antitrust|garante|inchiesta|feriti|esplosione|injured|deaths|died|boete|beboet|rechtszaak|aangeklaagd|dagvaarding|toezichthouder|tuchtrecht|geschorst|veroordeeld|kara|kare|kary|ukaran|grzywna|pozew|pozwan|sledztwo|postepowanie|prokuratura|uokik|dyscyplin|ceza|sorusturma|dava|rekabet|kvkk|mahkum|disiplin|mis en demeure|sammelklage|acao coletiva|demanda colectiva/;
/** Breaches, attacks and closures: high even without a regulator. */
const SERIOUS_INCIDENT = /breach|hack|ransomware|cyber|ciber|closure|closes|encerrad|cierre|fermeture|datenpanne|recolher|datalek|cyberaanval|cyberatak|siber|attacco hacker|wyciek/;
/** Strikes and walkouts: medium, unless a court or a regulator is part of the story. */
const STRIKE = /strike|walkout|huelga|greve|streik|sciopero|staking|staken|strajk|grev/;

/** Whether an incident's words name formal action or harm (a regulator, a court, a fine, an inquiry, injuries). */
export const isFormalIncident = (phrases: readonly string[]) => FORMAL_INCIDENT.test(phrases.join(' '));

/** What the rules saw, for the rubric. */
export interface SeverityFacts {
  finding: CandidateFinding;
  read: ReadFinding;
  isStrongLookAlike: boolean;
  cues: ReadonlyMap<string, string[]>;
  secrets: readonly string[];
  hasVolume: boolean;
  personalFields: number;
  isCloudStorage: boolean;
  isVictimAccount: boolean;
  /** Exposure the venue itself shows: an open server indexed, a leak-site listing. */
  isExposedByVenue: boolean;
  /** The page asks for credentials or card data. */
  asksForCredentials: boolean;
}

const EXPLOIT = /exploit|0day|0-day|zero.day|remote code execution|bypass|vulnerability/;

/** The severity rubric (README, "Detection"), applied to what the rules can see. */
export function severityOf(category: ThreatCategory, facts: SeverityFacts): Severity {
  const { cues } = facts;
  switch (category) {
    case 'phishing':
      if (facts.isVictimAccount || cues.has('victim report') || (facts.isStrongLookAlike && !facts.read.isCertificate && facts.asksForCredentials)) return 'critical';
      return 'high';
    case 'data_leak':
      if (facts.secrets.length > 0 || facts.hasVolume || facts.personalFields >= 3 || facts.isCloudStorage || facts.isExposedByVenue) return 'critical';
      return cues.has('data offered') && /dump|combo|fullz|stealer|logs|for sale|cookies|sessions|full db|access|accounts|creds|доступ/.test(cues.get('data offered')!.join(' ')) ? 'critical' : 'high';
    case 'fraud':
      return facts.isVictimAccount || cues.has('victim report') ? 'critical' : 'high';
    case 'impersonation': {
      const solicits =
        cues.has('asks for details by message') || cues.has('sideloaded or unofficial software') || cues.has('credential lure') || facts.read.account?.kind === 'app' || facts.read.account?.kind === 'package';
      return solicits || facts.isStrongLookAlike ? 'high' : 'medium';
    }
    case 'negative_press': {
      const year = YEAR.exec(`${facts.finding.url} ${facts.finding.title}`)?.[1];
      if (year && Number(year) <= new Date().getUTCFullYear() - 3) return 'low';
      const phrases = cues.get('incident reported') ?? [];
      if (isFormalIncident(phrases)) return 'high';
      return !STRIKE.test(phrases.join(' ')) && SERIOUS_INCIDENT.test(phrases.join(' ')) ? 'high' : 'medium';
    }
    case 'trademark':
      if (cues.has('counterfeit or unlicensed goods') || cues.has('resale listing') || cues.has('unauthorised or grey-import sale') || facts.read.venue === 'marketplace') return 'medium';
      return 'low';
    case 'other':
      return cues.has('attack threat or doxxing') || cues.has('attack announced') || EXPLOIT.test((cues.get('cracked software, cheats or exploits') ?? []).join(' ')) ? 'high' : 'medium';
  }
}
