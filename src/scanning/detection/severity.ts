import type { Severity, ThreatCategory } from '../../db/schema/enums.ts';
import type { CandidateFinding, ReadFinding } from './subject.ts';

const YEAR = /\b(19[89]\d|20[0-4]\d)\b/;

const HIGH_IMPACT_INCIDENT =
  /breach|fine|sue|lawsuit|class action|regulat|watchdog|ombudsman|ordered to|settle|sanction|penal|charged|indicted|hack|ransomware|cyber|ciber|inspector|failed inspection|health inspection|encerrad|health code|closure|closes|multa|sancion|amende|condamn|klage|verklagt|bussgeld|strafe|demanda|processo|coima|cierre|inspeccion|fermeture|datenpanne|investigation|probe|enquete|ermittl|investigacion|investigacao|poursuivi|expedient|recolher|condenad|verurteilt/;

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
      return HIGH_IMPACT_INCIDENT.test((cues.get('incident reported') ?? []).join(' ')) ? 'high' : 'medium';
    }
    case 'trademark':
      if (cues.has('counterfeit or unlicensed goods') || cues.has('resale listing') || cues.has('unauthorised or grey-import sale') || facts.read.venue === 'marketplace') return 'medium';
      return 'low';
    case 'other':
      return cues.has('attack threat or doxxing') || cues.has('attack announced') || EXPLOIT.test((cues.get('cracked software, cheats or exploits') ?? []).join(' ')) ? 'high' : 'medium';
  }
}
