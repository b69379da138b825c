import type { Cue } from './cue.ts';

/**
 * What a finding asks or offers, by intent, in English, Spanish, French, German and Portuguese:
 * who asks for a password, who offers money or asks for a fee, who sells data, goods or access,
 * who threatens. A phrase belongs here when it says the same thing about any organization.
 */
export const THREAT_CUES: readonly Cue[] = [
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
      'your parcel', 'your package', 'redelivery fee', 'delivery fee', 'customs fee', 'pending delivery', 'tax refund', 'payment failed', 'payment declined', 'points expire', 'points will expire',
      // es
      'iniciar sesion', 'inicia sesion', 'verifica tu cuenta', 'verifique su cuenta', 'confirma tu identidad', 'confirme sus datos', 'cuenta suspendida', 'cuenta bloqueada',
      'desbloquear tu cuenta', 'actualiza tus datos', 'introduce tu contrasena', 'clave de acceso', 'acceso clientes', 'su paquete', 'tu paquete', 'reembolso pendiente', 'pago rechazado',
      'sus puntos caducan', 'tus puntos caducan',
      // fr
      'se connecter', 'connectez-vous', 'verifiez votre compte', 'confirmez votre identite', 'confirmez vos informations', 'compte suspendu', 'compte bloque', 'debloquer votre compte',
      'mettre a jour vos informations', 'saisissez votre mot de passe', 'code de verification', 'votre colis', 'frais de reexpedition', 'frais de livraison', 'remboursement en attente',
      'coordonnees bancaires', 'paiement refuse', 'vos points expirent',
      // de
      'anmelden', 'einloggen', 'konto verifizieren', 'bestatigen sie ihre identitat', 'konto gesperrt', 'konto wurde gesperrt', 'konto entsperren', 'aktualisieren sie ihre daten',
      'geben sie ihr passwort', 'sicherheitscode', 'ihr paket', 'zustellgebuhr', 'zahlung fehlgeschlagen', 'ihre punkte verfallen',
      // pt
      'fazer login', 'faca login', 'entrar na sua conta', 'verifique sua conta', 'confirme sua identidade', 'confirme seus dados', 'conta suspensa', 'conta bloqueada',
      'desbloquear sua conta', 'atualize seus dados', 'atualize seu cadastro', 'digite sua senha', 'codigo de verificacao', 'seu pacote', 'sua encomenda', 'taxa de entrega', 'pagamento recusado',
      'seus pontos vao expirar', 'pontos vao expirar',
    ],
  },
  {
    name: 'credential words',
    category: 'phishing',
    weight: 0.15,
    phrases: ['password', 'passcode', 'contrasena', 'mot de passe', 'passwort', 'kennwort', 'senha', 'card number', 'cvv', 'numero de tarjeta', 'numero de carte', 'kartennummer', 'numero do cartao'],
  },
  {
    name: 'card data asked',
    category: null,
    weight: 0,
    isQuiet: true,
    phrases: [
      'card details', 'card data', 'card information', 'by card', 'my card', 'payment page', 'mi tarjeta', 'pagina de pago', 'ma carte', 'page de paiement', 'meine karte', 'zahlungsseite',
      'meu cartao', 'pagina de pagamento', 'datos de su tarjeta', 'datos de tu tarjeta', 'datos de la tarjeta', 'con su tarjeta', 'con tu tarjeta', 'donnees de carte',
      'donnees bancaires', 'par carte', 'kartendaten', 'kreditkartendaten', 'per kreditkarte', 'mit kreditkarte', 'dados do cartao', 'dados do seu cartao', 'com cartao',
    ],
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
      'giveaway', 'give away', 'giving away', 'gives away', 'gave away', 'airdrop', 'air drop', 'claim your reward',
      'claim your prize', 'claim your tokens', 'claim now', 'free crypto', 'free bitcoin', 'free tokens', 'free tickets', 'free flights', 'free vouchers', 'you have won', "you've won",
      'you have been selected', 'winner selected', 'generator', 'human verification', 'no survey', 'unlimited coins', 'unlimited gems', 'free gems', 'free coins',
      'sorteo', 'sorteamos', 'regalamos', 'regalo de', 'reclama tu premio', 'has ganado', 'te ha tocado', 'has sido seleccionad*', 'concours', 'tirage au sort', 'cadeau', 'gagnez', 'reclamez',
      'vous avez gagne', 'vous avez ete selectionne*', 'gewinnspiel', 'verlosung', 'verlost', 'verlosen', 'gewinnen sie', 'sie haben gewonnen', 'sorteio', 'brinde', 'resgate seu premio', 'ganhe',
      'voce ganhou', 'voce foi selecionad*',
    ],
  },
  {
    name: 'crypto doubling',
    category: 'fraud',
    weight: 0.5,
    phrases: [
      'double your', 'send 0', 'send 1', 'send btc', 'send eth', 'send usdt', 'send any amount', 'get 2 back', 'double back', 'get double', 'receive double', 'receive twice', 'x2 back',
      'doubled instantly', 'to the address below', 'giving back', 'duplica tus', 'recibe el doble', 'doublez vos', 'recevez le double', 'verdoppeln sie', 'doppelt zuruck', 'dobre seus', 'receba o dobro',
    ],
  },
  {
    name: 'investment or endorsement scheme',
    category: 'fraud',
    weight: 0.45,
    phrases: [
      'guaranteed return*', 'guaranteed profit*', 'guaranteed income', 'guaranteed yield', 'daily return*', 'daily profit*', 'fixed return*', 'passive income', 'investment opportunity',
      'investment platform', 'trading bot', 'trading platform', 'trading app', 'ai trading', 'ponzi', 'pyramid scheme', 'multiply your', 'deepfake', 'deep fake', 'endorsed by', 'recommends this',
      'get rich', 'made me rich', 'earn up to', 'minimum deposit', 'deposit and earn', 'presale', 'pre-sale', 'token sale', 'listing price', 'its own token',
      'keto', 'gummies', 'weight loss', 'miracle cure', 'miracle product', 'on live tv', 'secret revealed', 'cures', 'wundermittel', 'wunderheilmittel', 'remedio milagroso', 'cura milagrosa',
      'remede miracle', 'produit miracle', 'milagroso', 'milagrosa',
      'rentabilidad garantizada', 'ganancias garantizadas', 'plataforma de inversion', 'inversion minima', 'me hizo rico', 'gominolas', 'adelgazar', 'rendement garanti',
      "plateforme d'investissement", 'plateforme d investissement', 'investissement garanti', 'recommande cette', 'rendu riche', 'garantierte rendite', 'garantierter gewinn',
      'investitionsplattform', 'reich gemacht', 'abnehmen', 'retorno garantido', 'lucro garantido', 'plataforma de investimento', 'renda passiva', 'deixou rico', 'emagrecer',
    ],
  },
  {
    name: 'clone firm',
    category: 'fraud',
    weight: 0.45,
    phrases: [
      'clone firm', 'cloned firm', 'clone of', 'clone company', 'unauthorised firm', 'unauthorized firm', 'falsely claiming', 'falsely claims', 'chiringuito*', 'entidad no autorizada',
      'entidades no autorizadas', 'societe non autorisee', 'entite non autorisee', 'nicht zugelassenes unternehmen', 'ohne erlaubnis', 'entidade nao autorizada',
    ],
  },
  {
    name: 'payment scheme',
    category: 'fraud',
    weight: 0.4,
    phrases: [
      'fake invoice*', 'invoice scam', 'changed bank details', 'new bank details', 'updated bank details', 'bank details have changed', 'new bank account', 'overdue invoice', 'invoice overdue',
      'refund scam', 'recovery scam', 'recover your funds', 'recover lost funds', 'fund recovery', 'processing fee', 'registration fee', 'upfront fee', 'advance fee', 'pay a fee', 'training fee',
      'activation deposit', 'activation fee', 'refundable deposit', 'remote access', 'anydesk', 'teamviewer', 'quick assist', 'starter kit', 'equipment fee', 'payment agent*', 'money mule*', 'safe account', 'debt relief',
      'relief program', 'settle for', 'miles for sale', 'sell miles', 'points for sale', 'kit de demarrage', 'kit de inicio', 'kit inicial', 'starterpaket',
      'factura falsa', 'fausse facture', 'gefalschte rechnung', 'fatura falsa', 'bankverbindung geandert', 'neue bankverbindung', 'nuevos datos bancarios', 'nueva cuenta bancaria',
      'nouvelles coordonnees bancaires', 'nouveau compte bancaire', 'novos dados bancarios', 'nova conta bancaria', 'tasa de tramitacion', 'frais de dossier', 'frais d activation',
      'bearbeitungsgebuhr', 'aktivierungsgebuhr', 'taxa de inscricao', 'taxa de formacao', 'taxa de ativacao', 'cuota de activacion', 'cuenta segura', 'compte securise', 'sicheres konto', 'conta segura',
    ],
  },
  {
    name: 'payment by voucher or wire',
    category: 'fraud',
    weight: 0.25,
    phrases: ['gift card*', 'pcs', 'transcash', 'neosurf', 'paysafecard', 'carte cadeau', 'tarjeta regalo', 'cartao presente', 'western union', 'moneygram', 'bitcoin atm', 'crypto atm'],
  },
  {
    name: 'closing-down sale',
    category: 'fraud',
    weight: 0.25,
    phrases: [
      'closing sale', 'closing down', 'going out of business', 'everything must go', 'liquidation totale', 'fermeture definitive', 'cierre total', 'liquidacion total', 'raumungsverkauf',
      'werksschliessung', 'geschaftsaufgabe', 'queima total', 'queima de estoque', 'encerramento',
    ],
  },
  {
    name: 'prepayment only',
    category: 'fraud',
    weight: 0.25,
    phrases: [
      'bank transfer only', 'only bank transfer', 'payment in advance only', 'nur per vorkasse', 'nur vorkasse', 'nur per uberweisung', 'solo transferencia', 'solo por transferencia',
      'uniquement par virement', 'paiement par virement uniquement', 'apenas pix', 'somente pix', 'so aceitamos pix',
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
      'stole my', 'drained', 'me han timado', 'me timaron', 'confirmed transactions', 'victims', 'i paid', 'we paid', 'nothing received', 'received nothing', 'never got', 'rien recu', "j'ai paye", 'j ai paye', 'jamais recu',
      'no recibi', 'nunca llego', 'ich habe bezahlt', 'nie angekommen', 'nichts erhalten', 'paguei', 'nao recebi', 'nunca recebi', 'nunca chegou', 'he perdido', 'me estafaron', 'j ai perdu',
      "j'ai perdu", 'ich habe verloren', 'perdi', 'fui enganado', 'me enganaron',
    ],
  },
  {
    name: 'payment request',
    category: 'fraud',
    weight: 0.15,
    phrases: [
      'btc', 'bitcoin', 'ethereum', 'usdt', 'wallet address', 'paypal', 'bank transfer', 'transferencia', 'virement', 'uberweisung', 'vorkasse', 'pix', 'mb way', 'deposit', 'rechnung', 'invoice',
      'factura', 'facture', 'fatura',
    ],
  },
  {
    name: 'job offer',
    category: null,
    weight: 0,
    phrases: [
      'work from home', 'from home', 'remote job', 'remote work', 'hiring now', 'is hiring', 'job offer', 'recrute', 'recrutement', 'a domicile', 'desde casa', 'trabajo desde casa', 'home office', 'de casa', 'a partir de casa',
      'trabalho remoto', 'teletrabajo', 'teletravail', "offre d'emploi", 'oferta de empleo', 'stellenangebot', 'oferta de emprego', 'per hour', 'per day', 'hr', 'no experience',
    ],
  },
  // -- data_leak: the organization's or its customers' data or secrets exposed
  {
    name: 'data offered',
    category: 'data_leak',
    weight: 0.45,
    phrases: [
      'dump', 'dumped', 'database dump', 'db dump', 'full db', 'combo list', 'combolist', 'combo-list', 'fullz', 'stealer log*', 'infostealer', 'redline', 'lumma', 'raccoon', 'vidar', 'logs',
      'credentials for sale', 'accounts for sale', 'database for sale', 'data for sale', 'selling access', 'access for sale', 'initial access', 'exposed database', 'exposed bucket',
      'open bucket', 's3 bucket', 'exposed elasticsearch', 'elasticsearch', 'kibana', 'exposed mongodb', 'publicly accessible', 'left exposed', 'no authentication', 'index of', 'leaked source',
      'source code leak', 'hardcoded', 'hard-coded', 'env file', 'dotenv', 'email:pass', 'user:pass', 'mail:pass', 'cookies', 'sessions', 'leak site', 'publication in', 'will be published',
      'data will be', 'ransomware group', 'kyc', 'pnr', 'internal', 'confidential', 'do not distribute', 'internal use only', 'postman', 'sample available', 'muestra disponible',
      'echantillon de', 'amostra disponivel', 'creds', 'login list', 'accounts with balance', 'account shop', 'loja de contas', 'contas com saldo', 'cuentas con saldo',
      'tienda de cuentas', 'comptes avec solde', 'konten mit guthaben', 'premium accounts', 'cuentas premium', 'comptes premium', 'contas premium', 'domain admin', 'vpn access',
      'rdp access', 'citrix access', 'network access', 'ad access', 'продам', 'доступ', 'слив', 'база', 'логи',
      'volcado', 'base de datos a la venta', 'datos a la venta', 'donnees a vendre', 'daten zum verkauf', 'dados a venda', 'interne', 'interno', 'vertraulich', 'confidentiel', 'confidencial',
    ],
  },
  {
    name: 'leak-site posting',
    category: 'data_leak',
    weight: 0.45,
    phrases: [
      'ready to upload', 'ready to publish', 'we will publish', 'will be leaked', 'publish the data', 'days left', 'refused to pay', 'corporate data', 'company data', 'seront publiees',
      'seront publies', 'seran publicados', 'werden veroffentlicht', 'serao publicados',
    ],
  },
  {
    name: 'leak reported',
    category: 'data_leak',
    weight: 0.2,
    phrases: [
      'leak', 'leaked', 'leaks', 'breach', 'breached', 'data breach', 'hacked', 'ransomware', 'extortion', 'filtracion', 'filtrado*', 'filtrada*', 'fuite', 'fuite de donnees', 'divulgue*',
      'datenleck', 'datenpanne', 'geleakt', 'vazamento*', 'vazado*', 'vazada*', 'brecha', 'violacion de datos', 'violation de donnees', 'violacao de dados', 'expuestos', 'exposees', 'expostos',
    ],
  },
  {
    name: 'data named',
    category: 'data_leak',
    weight: 0.15,
    phrases: ['database', 'db', 'config', 'base de datos', 'base de donnees', 'datenbank', 'banco de dados', 'base de dados', 'customer data', 'datos de clientes', 'donnees clients', 'kundendaten', 'dados de clientes'],
  },
  // -- impersonation: an account, app, site or person posing as the brand or its people
  {
    name: 'posing as official',
    category: 'impersonation',
    weight: 0.3,
    phrases: [
      'official support', 'customer support', 'customer service', 'customer care', 'patient support', 'support team', 'help desk', 'helpdesk', 'support account', 'support line', 'helpline',
      'hotline', 'tech support', 'technical support', 'official account', 'official page', 'official channel', 'official app', 'verified account', 'fake account*', 'fake profile*', 'impersonat*',
      'pretending to be', 'posing as', 'poses as', 'claims to be', 'clone app', 'cloned app', 'fake app', 'not the real', 'community manager', 'only personal account',
      'soporte oficial', 'soporte tecnico', 'atencion al cliente', 'cuenta oficial', 'canal oficial', 'perfil oficial', 'cuenta falsa', 'perfil falso', 'suplant*', 'support officiel',
      'service client', 'assistance technique', "page d'assistance", 'page d assistance', 'compte officiel', 'chaine officielle', 'faux compte', 'faux profil', 'usurp*', 'offizieller support',
      'offizieller kanal', 'technischer support', 'kundenservice', 'kundendienst', 'offizielles konto', 'gefalschtes konto', 'gefalschtes profil', 'suporte oficial', 'suporte tecnico',
      'apoio ao cliente', 'apoio tecnico', 'linha de apoio', 'atendimento', 'conta oficial', 'conta falsa', 'se passando por', 'se faisant passer',
    ],
  },
  {
    name: 'asks for details by message',
    category: 'impersonation',
    weight: 0.25,
    phrases: [
      'dm us', 'dm me', 'send us a dm', 'send a dm', 'message us', 'message me', 'send us your', 'send me your', 'chama no direct', 'manda dm', 'manda mensagem', 'contact us on whatsapp', 'whatsapp', 'telegram', 'every dm', 'ecrivez-moi', 'ecrivez-nous', 'envoyez-nous',
      'message prive', 'en prive', 'ecris-nous', 'ecris-moi', 'direct message', 'message direct', 'inbox us', 'escribenos', 'escribeme', 'mandame', 'envianos', 'por dm', 'mensaje privado',
      'mensaje directo', 'por privado', 'mensagem direta', 'schreiben sie uns', 'schick mir', 'per dm', 'envie-nos', 'me chama', 'chame no',
      'mensagem privada',
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
      'counterfeit*', 'replica', 'replicas', 'replica bag*', 'replica watch*', 'knockoff*', 'knock-off*', 'fake goods', 'bootleg', 'not licensed', 'unlicensed', 'non-licensed', 'official style',
      'inspired by', 'aaa quality', '1:1 quality', '1:1 original', 'mirror quality', 'calidad espejo', 'qualite miroir', 'qualidade espelho', 'same mould', 'same mold', 'grey market', 'gray market',
      'unauthorized reseller*', 'unauthorised reseller*', 'non-official reseller', 'unofficial reseller', 'unauthorized dealer*', 'falsificacion*', 'falsificado*', 'imitacion', 'contrefacon*',
      'contrefait*', 'replique*', 'falschung*', 'gefalscht*', 'plagiat*', 'nachahmung', 'nachbau*', 'imitacao', 'pirata',
    ],
  },
  {
    name: 'unauthorised or grey-import sale',
    category: 'trademark',
    weight: 0.3,
    phrases: [
      'without prescription', 'no prescription', 'ohne rezept', 'rezeptfrei', 'sin receta', 'sans ordonnance', 'sem receita', 'grey import', 'gray import', 'parallel import', 'eu-import', 'eu import', 'reimport', 'lote importado', 'sem nota fiscal', 'sin factura', 'sans facture', 'ohne rechnung', 'without invoice',
      'no warranty', 'without warranty', 'keine herstellergarantie', 'ohne garantie', 'sin garantia', 'sans garantie', 'sem garantia', 'not an official', 'not an authorised', 'not an authorized',
      'kein offizieller', 'no somos distribuidor', 'nao somos revendedor', 'logo decals', 'custom logo', 'original logo', 'original-logo',
    ],
  },
  {
    name: 'resale listing',
    category: 'trademark',
    weight: 0.35,
    phrases: [
      'brand new', 'free shipping', 'ships from', 'sold', 'in stock', 'add to cart', 'wholesale', 'mixed lot', 'lot of', 'end of season', 'clearance', 'destockage', 'restposten', 'liquidation',
      'outlet', 'moq', 'factory direct', 'factory price', 'prix usine', 'precio de fabrica', 'preco de fabrica', 'fabrikpreis', 'sealed', 'neu und versiegelt', 'lacrado', 'pronta entrega',
      'sofortversand', 'steam key', 'cd key', 'cdkey', 'key global', 'license key', 'licence key', 'lizenz', 'licencia', 'sofortlieferung', 'sofort-download', 'instant delivery',
      'instant download', 'statt', 'au lieu de', 'en lugar de', 'livraison offerte', 'envio gratis', 'frete gratis', 'versandkostenfrei',
    ],
  },
  {
    name: 'parked or for sale',
    category: 'trademark',
    weight: 0.5,
    phrases: [
      'domain for sale', 'domain is for sale', 'may be for sale', 'buy this domain', 'make an offer', 'parked free', 'parked domain', 'domain parking', 'related searches', 'sponsored listings',
      'sedo', 'afternic', 'hugedomains', 'bodis', 'parkingcrew', 'sponsored links', 'enlaces patrocinados', 'liens commerciaux', 'liens sponsorises', 'gesponserte links',
      'links patrocinados', 'dominio en venta', 'domaine a vendre', 'peut-etre a vendre', 'est a vendre', 'domain kaufen', 'zu verkaufen', 'zum verkauf',
      'dominio a venda', 'esta a venda',
    ],
  },
  {
    name: 'trading under the name',
    category: 'trademark',
    weight: 0.25,
    phrases: ['llc', 'ltd', 'limited', 'gmbh', 'sarl', 'ltda', 'boutique', 'tienda', 'loja', 'restaurante', 'salon', 'bakery', 'plumbing', 'consulting', 'free quote', 'devis gratuit', 'presupuesto gratis', 'kostenloses angebot', 'orcamento gratis'],
  },
  // -- other: threats aimed at the organization that fit no other category
  {
    name: 'attack threat or doxxing',
    category: 'other',
    weight: 0.5,
    phrases: [
      'dox', 'doxx*', 'doxed', 'doxing', 'home address', 'home addresses', 'personal address', 'where he lives', 'where she lives', 'lives at', 'we know where', 'family members',
      'likes visitors', 'pay her a visit', 'pay him a visit',
      'pay them a visit', 'ddos', 'booter', 'stresser', 'gbps', 'take down your', 'take you offline', 'knock them offline', 'next target', 'join the operation', 'tango down',
      'we will attack', 'we hit', 'or we will', 'you have until', 'or else', 'will be attacked', 'bomb threat', 'should burn', 'burn it down', 'will pay for what', 'make them pay',
      'watch your back', 'coming for you', 'deserve to die', 'will regret', 'swatting', 'hit list', 'insider at', 'insiders at', 'insider in', 'insider with', 'insider wanted', 'insiders wanted', 'insider needed', 'need an insider',
      'looking for insider*', 'recruiting insider*', 'paying insider*', 'insider access', 'looking for employees', 'pay employees', 'recruiting employees', 'rogue employee',
      'employees with access', 'sim swap*', 'sim-swap*', 'port out', 'direccion de su casa', 'amenaza*', 'ataque ddos', 'proximo objetivo', 'se van a arrepentir', 'buscamos empleados',
      'empleados con acceso', 'adresse personnelle', 'menace*', 'prochaine cible', 'rejoignez l operation', 'vont le regretter', 'employes avec acces', 'salaries avec acces', 'privatadresse',
      'sabemos donde', 'on sait ou', 'nous savons ou', 'wir wissen wo', 'sabemos onde', 'someone inside', 'inside man', 'employee wanted', 'employees wanted',
      'drohung*', 'bedroh*', 'nachstes ziel', 'werden schon sehen', 'werden es bereuen', 'mitarbeiter mit zugriff', 'endereco residencial', 'ameaca*', 'proximo alvo', 'vao se arrepender',
      'funcionarios com acesso', 'funcionario dentro', 'funcionario interno',
    ],
  },
  {
    name: 'cracked software, cheats or exploits',
    category: 'other',
    weight: 0.5,
    phrases: [
      'cracked', 'crack', 'keygen', 'key generator', 'license generator', 'serial key*', 'nulled', 'warez', 'patched version', 'cheat*', 'aimbot', 'wallhack', 'hack tool', 'bot', 'bots',
      'exploit*', 'zero-day', 'zero day', '0day', '0-day', 'proof of concept', 'remote code execution', 'auth bypass', 'authentication bypass', 'mod menu', 'premium unlocked',
      'refund method', 'refund trick', 'refund service', 'methode de remboursement', 'metodo de reembolso', 'ftid', 'patched app', 'patched apk', 'modded apk', 'premium mod',
      'features unlocked', 'vulnerability for sale', 'free download', 'all lessons', 'mega link', 'course download', 'descarga gratis', 'telechargement gratuit', 'kostenloser download',
      'download gratis', 'crackeado', 'pirateado', 'piratee', 'gecrackt', 'craqueado',
    ],
  },
  {
    name: 'tooling against the product',
    category: 'other',
    weight: 0.3,
    phrases: [
      'bypass*', 'jailbreak*', 'root shell', 'unlocker', 'spoofer', 'brute force', 'bruteforce', 'checker', 'card checker', 'account checker', 'credential stuffing', 'openbullet', 'silverbullet',
      'promo abuse', 'coupon abuse', 'bonus abuse', 'account generator', 'account creator', 'creates accounts', 'auto-create', 'multi-account*', 'bin attack', 'cash out', 'cashout',
      'carding', 'working method',
    ],
  },
];
