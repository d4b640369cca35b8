import { seededRandom } from './seeded-random.js';

/**
 * A realistic provincial directory, the same for the same seed: departments (Sở) with
 * their offices (Phòng), districts (UBND huyện) with their communes (UBND xã), people
 * with Kinh and minority (Tày, Thái, Hmông, Dao) names, shared full names, some names
 * stored in NFD, some people without a mail attribute, some with one outside the province's
 * domain. entryUUIDs are given here (slapadd keeps them), so tests know every stable id.
 */
export interface GeneratedAgency {
  dn: string;
  uuid: string;
  name: string;
  parentDn: string | null;
}

export interface GeneratedPerson {
  dn: string;
  uid: string;
  uuid: string;
  /** the full name as stored (NFD for some) */
  cn: string;
  mail?: string;
  title: string;
  agencyDn: string;
}

export interface GeneratedGroup {
  dn: string;
  uuid: string;
  name: string;
  mail?: string;
  memberDns: string[];
}

export interface GeneratedDirectory {
  /** the OU all agencies and people are under: people.baseDn and agencies.baseDn */
  unitsDn: string;
  /** where departed people are moved to (outside unitsDn) */
  departedDn: string;
  /** groupOfNames entries: provisioning.ldap.groups.baseDn */
  groupsDn: string;
  agencies: GeneratedAgency[];
  people: GeneratedPerson[];
  groups: GeneratedGroup[];
  ldif: string;
}

const KINH_SURNAMES = ['Nguyễn', 'Nguyễn', 'Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const KINH_MIDDLE = ['Văn', 'Thị', 'Đức', 'Minh', 'Thu', 'Thanh', 'Quang', 'Ngọc', 'Hữu', 'Thị Thu', 'Thị Bích'];
const KINH_GIVEN = ['An', 'Hà', 'Dũng', 'Hùng', 'Lan', 'Hoa', 'Tuấn', 'Hương', 'Đức', 'Nam', 'Ngọc', 'Phương', 'Trang', 'Long', 'Thảo', 'Hải', 'Yến', 'Sơn'];
const MINORITY: Array<{ surnames: string[]; middle: string[]; given: string[] }> = [
  { surnames: ['Giàng', 'Sùng', 'Vàng', 'Thào', 'Lầu', 'Hầu', 'Mua', 'Ly'], middle: ['A', 'Mí', 'Seo', 'Thị'], given: ['Páo', 'Mỷ', 'Chứ', 'Sính', 'Dợ', 'Lềnh', 'Dủa', 'Dìn'] },
  { surnames: ['Lò', 'Cầm', 'Quàng', 'Tòng', 'Lường', 'Vì'], middle: ['Văn', 'Thị'], given: ['Xuân', 'Ún', 'Ỏn', 'Ỉn', 'Khọm', 'Ẻn', 'Chắn'] },
  { surnames: ['Hoàng', 'Nông', 'Ma', 'Lục', 'Bế', 'Hà'], middle: ['Văn', 'Thị'], given: ['Nông', 'Hồng', 'Kháng', 'Phượng', 'Pảo', 'Đàn', 'Slao'] },
  { surnames: ['Đặng', 'Triệu', 'Bàn', 'Chảo', 'Lý'], middle: ['Văn', 'Thị', 'Tài', 'Láo'], given: ['Quẩy', 'Vinh', 'Tẩn', 'Lở', 'Mẩy', 'Mùi'] },
];
const DEPARTMENTS = ['Sở Nội vụ', 'Sở Tài chính', 'Sở Giáo dục và Đào tạo', 'Sở Y tế', 'Sở Nông nghiệp và Phát triển nông thôn', 'Sở Tư pháp', 'Sở Giao thông vận tải', 'Sở Xây dựng', 'Sở Tài nguyên và Môi trường', 'Sở Công Thương', 'Sở Văn hóa, Thể thao và Du lịch', 'Sở Khoa học và Công nghệ', 'Sở Lao động - Thương binh và Xã hội', 'Sở Thông tin và Truyền thông', 'Sở Kế hoạch và Đầu tư', 'Thanh tra tỉnh', 'Ban Dân tộc', 'Văn phòng UBND tỉnh'];
const OFFICES = ['Văn phòng', 'Phòng Tổ chức cán bộ', 'Phòng Kế hoạch - Tài chính', 'Thanh tra'];
const DISTRICTS = ['Yên Minh', 'Đồng Văn', 'Mèo Vạc', 'Quản Bạ', 'Bắc Mê', 'Hoàng Su Phì', 'Xín Mần', 'Vị Xuyên', 'Bắc Quang', 'Quang Bình'];
const DISTRICT_OFFICES = ['Văn phòng HĐND và UBND', 'Phòng Nội vụ', 'Phòng Giáo dục và Đào tạo'];
const COMMUNES = ['Đường Thượng', 'Lũng Hồ', 'Mậu Duệ', 'Ngam La', 'Du Già', 'Hữu Vinh', 'Sủng Thài', 'Na Khê', 'Bạch Đích', 'Phú Lũng', 'Thắng Mố', 'Sủng Cháng', 'Lao Và Chải', 'Đông Minh', 'Mậu Long', 'Ngọc Long', 'Du Tiến', 'Lũng Thầu', 'Lũng Táo', 'Phố Cáo'];
const TITLES = ['Chuyên viên', 'Chuyên viên chính', 'Phó Trưởng phòng', 'Trưởng phòng', 'Văn thư', 'Kế toán', 'Công chức Văn phòng - Thống kê', 'Công chức Tư pháp - Hộ tịch', 'Phó Chủ tịch UBND', 'Chủ tịch UBND'];

/** LDIF value: base64 (RFC 2849 §2: "::") when not plain ASCII */
const attr = (name: string, value: string) => (/^[\x20-\x7e]*$/.test(value) && !value.startsWith(' ') && !value.startsWith(':') ? `${name}: ${value}` : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`);

/** RFC 4514 §2.4: escape the special characters of an attribute value in a DN */
export const dnValue = (value: string) => value.replace(/[\\,+"<>;=#]/g, (c) => `\\${c}`).replace(/^ | $/g, (c) => `\\${c}`);

export function generateDirectory(options: { seed: number; people: number; baseDn?: string; domain?: string }): GeneratedDirectory {
  const random = seededRandom(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const baseDn = options.baseDn ?? 'dc=tinh,dc=gov,dc=vn';
  const domain = options.domain ?? 'tinh.gov.vn';
  const unitsDn = `ou=DonVi,${baseDn}`;
  const departedDn = `ou=NghiViec,${baseDn}`;
  let uuidCounter = 0;
  const uuid = () => {
    uuidCounter++;
    const hex = Array.from({ length: 12 }, () => Math.floor(random() * 16).toString(16)).join('');
    return `${String(options.seed).padStart(8, '0').slice(-8)}-0000-4000-8000-${hex.slice(0, 4)}${String(uuidCounter).padStart(8, '0')}`;
  };

  const agencies: GeneratedAgency[] = [];
  const addAgency = (name: string, parentDn: string | null) => {
    const dn = `ou=${dnValue(name)},${parentDn ?? unitsDn}`;
    agencies.push({ dn, uuid: uuid(), name, parentDn });
    return dn;
  };
  const n = options.people;
  const departmentCount = Math.min(DEPARTMENTS.length, Math.max(3, Math.ceil(n / 400)));
  const districtCount = Math.min(DISTRICTS.length, Math.max(2, Math.ceil(n / 800)));
  const communesPerDistrict = Math.min(COMMUNES.length, Math.max(2, Math.ceil(n / 1500)));
  for (const dept of DEPARTMENTS.slice(0, departmentCount)) {
    const d = addAgency(dept, null);
    for (const office of OFFICES.slice(0, n >= 1000 ? 4 : 2)) addAgency(office, d);
  }
  for (const district of DISTRICTS.slice(0, districtCount)) {
    const d = addAgency(`UBND huyện ${district}`, null);
    for (const office of DISTRICT_OFFICES.slice(0, n >= 1000 ? 3 : 1)) addAgency(office, d);
    for (const commune of COMMUNES.slice(0, communesPerDistrict)) addAgency(`UBND xã ${commune}`, d);
  }

  const people: GeneratedPerson[] = [];
  const mails = new Set<string>();
  for (let i = 0; i < n; i++) {
    const minority = random() < 0.45 ? pick(MINORITY) : undefined;
    const name = minority
      ? `${pick(minority.surnames)} ${pick(minority.middle)} ${pick(minority.given)}`
      : `${pick(KINH_SURNAMES)} ${pick(KINH_MIDDLE)} ${pick(KINH_GIVEN)}`;
    const uid = `cb${String(i + 1).padStart(6, '0')}`;
    // one in ten names stored in NFD, as some Windows and macOS tools write them
    const cn = random() < 0.1 ? name.normalize('NFD') : name;
    const agency = pick(agencies);
    const r = random();
    let mail: string | undefined;
    if (r < 0.15) mail = `${uid}.old@${domain}`;
    else if (r < 0.25) mail = `${uid}@gmail.com`;
    if (mail && mails.has(mail)) mail = undefined;
    if (mail) mails.add(mail);
    people.push({ dn: `uid=${uid},${agency.dn}`, uid, uuid: uuid(), cn, ...(mail ? { mail } : {}), title: pick(TITLES), agencyDn: agency.dn });
  }

  const groupsDn = `ou=Nhom,${baseDn}`;
  const groups: GeneratedGroup[] = [
    { dn: `cn=Ban Chỉ đạo chuyển đổi số,${groupsDn}`, uuid: uuid(), name: 'Ban Chỉ đạo chuyển đổi số', mail: `bcd.cds@${domain}`, memberDns: people.filter((_, i) => i % 37 === 1).map((p) => p.dn) },
    { dn: `cn=Tổ công tác 896,${groupsDn}`, uuid: uuid(), name: 'Tổ công tác 896', memberDns: people.filter((_, i) => i % 53 === 2).map((p) => p.dn) },
  ];

  const lines: string[] = [];
  const entry = (...attrs: string[]) => lines.push(...attrs, '');
  entry(`dn: ${unitsDn}`, 'objectClass: organizationalUnit', 'ou: DonVi');
  entry(`dn: ${departedDn}`, 'objectClass: organizationalUnit', 'ou: NghiViec');
  for (const a of agencies) entry(attr('dn', a.dn), 'objectClass: organizationalUnit', attr('ou', a.name), `entryUUID: ${a.uuid}`);
  for (const p of people) {
    const words = p.cn.split(' ');
    entry(
      attr('dn', p.dn),
      'objectClass: inetOrgPerson',
      `uid: ${p.uid}`,
      attr('cn', p.cn),
      attr('sn', words[0]!),
      attr('givenName', words.slice(1).join(' ')),
      attr('title', p.title),
      ...(p.mail ? [`mail: ${p.mail}`] : []),
      `entryUUID: ${p.uuid}`,
    );
  }
  entry(`dn: ${groupsDn}`, 'objectClass: organizationalUnit', 'ou: Nhom');
  for (const g of groups) {
    entry(attr('dn', g.dn), 'objectClass: groupOfNames', attr('cn', g.name), ...(g.mail ? [`description: ${g.mail}`] : []), ...g.memberDns.map((m) => attr('member', m)), `entryUUID: ${g.uuid}`);
  }
  return { unitsDn, departedDn, groupsDn, agencies, people, groups, ldif: lines.join('\n') };
}
