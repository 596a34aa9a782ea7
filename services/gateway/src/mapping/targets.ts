/**
 * The fields of the canonical `data` of `oa.document.finalized` a mapping can fill, with the kind of
 * value each takes (so a mapping need not say that `version` is an integer) and whether the contract
 * requires it (so a mapping that can never produce a valid document is refused when it is loaded, not
 * on the first push). Kept beside the contract's schema in packages/contracts, which stays the judge.
 */

export type ValueType = 'string' | 'integer' | 'datetime' | 'json';

export interface TargetField {
  type: ValueType;
  required: boolean;
}

const field = (type: ValueType, required = false): TargetField => ({ type, required });

export const DOCUMENT_TARGETS: Record<string, TargetField> = {
  documentId: field('string', true),
  version: field('integer', true),
  title: field('string', true),
  documentNumber: field('string'),
  documentType: field('string', true),
  'issuer.name': field('string', true),
  'issuer.relation': field('string', true),
  departmentCode: field('string', true),
  'dates.created': field('datetime', true),
  'dates.signed': field('datetime'),
  'dates.finalized': field('datetime', true),
  securityLevel: field('string', true),
  urgency: field('string'),
  distribution: field('string'),
  'workflow.id': field('string', true),
  'workflow.type': field('string', true),
  extra: field('json'),
};

/** Lists: a rule with `each` fills one item per element of the OA's list. */
export const LIST_TARGETS: Record<string, { required: boolean; items: Record<string, TargetField> }> = {
  components: {
    required: true,
    items: {
      role: field('string', true),
      fileName: field('string', true),
      mediaType: field('string'),
      size: field('integer'),
      sha256: field('string'),
      /** Not a contract field: collected into `extra.componentMd5` (see apply.ts). */
      md5: field('string'),
      url: field('string', true),
      /** Package drops only, not a contract field: the file's path inside the package (packages/manifest.ts). */
      path: field('string'),
      /** Package drops only, not a contract field: the file itself in base64 (DA/T 48 编码数据). */
      content: field('string'),
    },
  },
  'workflow.steps': {
    required: true,
    items: {
      step: field('string', true),
      actor: field('string', true),
      action: field('string', true),
      at: field('datetime', true),
      opinion: field('string'),
    },
  },
};

/** `extra.<name>` keeps anything else the OA knows, under a name the mapping chooses. */
export const EXTRA_PREFIX = 'extra.';

/**
 * Item fields that say where a package's file is (in the package, or inside the metadata itself): with
 * either mapped, `url` is not required, since the gateway stages the file and makes the URL itself.
 */
export const PACKAGE_FILE_FIELDS = ['path', 'content'] as const;

/** Where the components' declared MD5 digests go: the contract has no MD5 field, the archive keeps them. */
export const COMPONENT_MD5_KEY = 'componentMd5';

export function documentTargetOf(path: string): TargetField | undefined {
  if (Object.hasOwn(DOCUMENT_TARGETS, path)) return DOCUMENT_TARGETS[path];
  if (path.startsWith(EXTRA_PREFIX) && path.length > EXTRA_PREFIX.length) return field('json');
  return undefined;
}
