/**
 * Order of components inside one archival item (件), DA/T 22-2015: the text before its attachments,
 * the signed copy (正本) before the final draft (定稿) with its drafting form (发文稿纸); for an incoming
 * document the handling slip (处理单) comes before the document itself.
 */
const OUTGOING = ['正文', '附件', '定稿', '发文稿纸', '处理单', '其他'];
const INCOMING = ['处理单', '正文', '附件', '定稿', '发文稿纸', '其他'];

export function orderComponents<C extends { role: string; ordinal: number }>(components: readonly C[], options: { incoming: boolean }): C[] {
  const order = options.incoming ? INCOMING : OUTGOING;
  const rank = (role: string) => {
    const i = order.indexOf(role);
    return i === -1 ? order.length : i;
  };
  return [...components].sort((a, b) => rank(a.role) - rank(b.role) || a.ordinal - b.ordinal);
}

/** A document came in from outside when the OA handled it as 收文 or its issuer is not this agency. */
export function isIncoming(data: { workflow: { type: string }; issuer: { relation: string } }): boolean {
  return data.workflow.type === '收文' || data.issuer.relation !== '本机关';
}
