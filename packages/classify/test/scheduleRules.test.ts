import { beforeAll, describe, expect, it } from 'vitest';
import type { DocumentFinalizedData } from '@oa-archive/contracts';
import { classify, loadSchedule, type ComponentFacts, type RetentionSchedule } from '../src/index.ts';
import { documentData, textComponent } from './helpers.ts';

/*
 * Every rule of the default schedule, with documents it decides and near misses it must leave alone,
 * in wording other than the rule's own patterns (other agencies, other 文种 labels, other phrasing).
 * A rule added without examples fails the completeness test below.
 */

type Relation = DocumentFinalizedData['issuer']['relation'];
interface Example {
  t: string; // 题名
  d: string; // 文种 as the OA sends it
  r: Relation;
  /** 责任者 name, when it matters */
  n?: string;
  dist?: string;
  /** send: 拟稿/核稿/签发; read: 登记/阅知; circulate: 登记/传阅; handle: 登记/拟办/承办; lead / assist: 主办 / 协办 */
  wf?: 'send' | 'read' | 'circulate' | 'handle' | 'lead' | 'assist';
  media?: 'photo' | 'audio' | 'video';
}

const at = '2025-05-06T10:00:00+08:00';
const STEPS: Record<NonNullable<Example['wf']>, [string, string, string?][]> = {
  send: [['拟稿', '拟稿'], ['核稿', '核稿'], ['签发', '签发', '同意']],
  read: [['收文登记', '登记'], ['领导阅知', '阅知', '已阅']],
  circulate: [['收文登记', '签收'], ['传阅', '传阅']],
  handle: [['收文登记', '登记'], ['拟办', '拟办', '请相关科室办理'], ['承办', '办理', '已办结']],
  lead: [['收文登记', '登记'], ['拟办', '拟办', '我单位为主办单位'], ['主办', '办理', '已答复']],
  assist: [['收文登记', '登记'], ['拟办', '拟办', '我单位为协办单位'], ['协办', '办理', '协办意见已报送']],
};

function decide(schedule: RetentionSchedule, e: Example) {
  const wf = e.wf ?? (e.r === '本机关' ? 'send' : 'handle');
  const data = documentData({
    title: e.t,
    documentType: e.d,
    issuer: { name: e.n ?? (e.r === '本机关' ? '示范市人民政府办公室' : `某${e.r}单位`), relation: e.r },
    distribution: e.dist,
    workflow: { type: e.r === '本机关' ? '发文' : '收文', steps: STEPS[wf].map(([step, action, opinion]) => ({ step, actor: '经办人', action, at, ...(opinion ? { opinion } : {}) })) },
  });
  const components: ComponentFacts[] = [e.media ? { ...textComponent(1), mediaKind: e.media } : textComponent(1)];
  return classify({ data, components }, schedule);
}

/** rule id → [documents it decides, documents it must not decide]. */
const EXAMPLES: Record<string, [Example[], Example[]]> = {
  'EX-DRAFT': [[{ t: '市卫健委2025年爱国卫生运动实施方案（送审稿）', d: '方案', r: '本机关' }, { t: '关于调整会议室使用规定的通知（讨论稿）', d: '通知', r: '本机关' }], [{ t: '关于修改《机关考勤办法》的决定', d: '决定', r: '本机关' }]],
  'EX-TRIVIA': [[{ t: '县人社局来文所附便条', d: '其他', r: '同级' }, { t: '会议通知复印件', d: '其他', r: '上级' }], [{ t: '关于规范机关信息报送的通知', d: '通知', r: '本机关' }]],
  'EX-TEMPORARY': [[{ t: '关于机关大楼周六停电检修的通知', d: '通知', r: '本机关' }], [{ t: '关于加强机关用电安全管理的通知', d: '通知', r: '本机关' }]],
  'EX-PUBLIC-LETTER': [[{ t: '市民王女士写给窗口工作人员的表扬信', d: '来信', r: '外部' }], [{ t: '市民王女士反映小区噪声问题的来信', d: '来信', r: '外部', wf: 'handle' }]],
  'EX-OUTSIDE-POST': [[{ t: '关于缴纳2025年度会费的通知', d: '通知', r: '外部', n: '示范市档案学会' }], [{ t: '关于缴纳2025年度会费的通知', d: '通知', r: '外部', n: '示范市财政局' }]],
  'EX-OUTSIDE-BODY-MEETING': [[{ t: '某大学关于召开校务委员会会议的通知', d: '通知', r: '外部' }], [{ t: '某大学关于商请接收实习生的函', d: '函', r: '外部' }]],
  'EX-BYPASS-COPY': [[{ t: '某街道关于辖区防汛工作情况的报告', d: '报告', r: '下级', dist: '越级抄报' }, { t: '南湖区关于2025年工作计划的报告', d: '报告', r: '下级', dist: '抄报' }], [{ t: '南湖区关于辖区防汛工作情况的报告', d: '报告', r: '下级', dist: '主送' }]],
  'EX-SUB-BRIEFING': [[{ t: '东城区政务服务工作动态（第12期）', d: '其他', r: '下级' }, { t: '北湖区关于群众反映停车难情况反映', d: '其他', r: '下级' }], [{ t: '东城区关于停车场建设的专题报告', d: '报告', r: '下级' }]],
  'EX-REFERENCE-COPY': [[{ t: '市财政局关于调整差旅费标准的通知', d: '通知', r: '同级', dist: '抄送' }], [{ t: '市财政局关于调整差旅费标准的通知', d: '通知', r: '同级', dist: '主送' }]],
  'EX-SUPERIOR-GENERAL': [[{ t: '省政府关于授予李某某同志劳动模范称号的决定', d: '决定', r: '上级', dist: '普发', wf: 'handle' }, { t: '关于2026年元旦春节放假安排的通知', d: '通知', r: '上级', dist: '普发', wf: 'handle' }], [{ t: '省政府关于授予我办先进集体称号的决定', d: '决定', r: '上级', dist: '主送' }]],
  'EX-REFERENCE-MATERIAL': [[{ t: '省统计局编印的经济运行参阅件', d: '参阅件', r: '同级' }, { t: '兄弟单位工作简报第9期', d: '简报', r: '同级', wf: 'handle' }], [{ t: '兄弟单位关于联合开展调研的函', d: '函', r: '同级', wf: 'handle' }]],
  'EX-COMMERCIAL-LETTER': [[{ t: '关于举办数字政府博览会的邀请函', d: '函', r: '外部', n: '某软件股份有限公司', wf: 'handle' }], [{ t: '关于政务云平台合同履约情况的函', d: '函', r: '外部', n: '某软件股份有限公司', wf: 'handle' }]],
  'EX-PEER-NOACTION': [[{ t: '市商务局关于邀请参加招商推介会的函', d: '函', r: '同级', wf: 'handle' }], [{ t: '市商务局关于联合开展营商环境评估的函', d: '函', r: '同级', wf: 'handle' }]],
  'EX-PEER-GENERAL': [[{ t: '市司法局关于开展法治宣传月活动的通知', d: '通知', r: '同级', dist: '普发', wf: 'handle' }], [{ t: '市司法局关于开展法治宣传月活动的通知', d: '通知', r: '同级', dist: '主送', wf: 'handle' }]],
  'EX-INTERNAL-COPY': [[{ t: '人事科关于干部档案审核进度的情况', d: '其他', r: '本机关', dist: '内部抄送' }], [{ t: '人事科关于干部档案审核进度的情况', d: '其他', r: '本机关', dist: '主送' }]],
  'EX-SUPERIOR-READ-ONLY': [[{ t: '省教育厅关于印发全省教育宣传工作要点的通知', d: '通知', r: '上级', dist: '普发', wf: 'circulate' }, { t: '市政府关于加强冬季森林防火的通知', d: '通知', r: '上级', dist: '普发', wf: 'read' }], [{ t: '市政府关于加强冬季森林防火的通知', d: '通知', r: '上级', dist: '普发', wf: 'handle' }, { t: '市政府关于加强冬季森林防火的通知', d: '通知', r: '上级', dist: '主送', wf: 'read' }]],
  'EX-SUPERIOR-REFERENCE-COPY': [[{ t: '省委办公厅转发外省经验做法（供参考）', d: '通知', r: '上级', dist: '参考', wf: 'handle' }], [{ t: '省委办公厅关于推广外省经验做法的通知', d: '通知', r: '上级', dist: '主送', wf: 'handle' }]],
  'EX-PEER-READ-ONLY': [[{ t: '县文旅局关于举办乡村旅游节的通知', d: '通知', r: '同级', dist: '主送', wf: 'read' }], [{ t: '县文旅局关于举办乡村旅游节的通知', d: '通知', r: '同级', dist: '主送', wf: 'handle' }]],
  'EX-PUBLIC-LETTER-READ-ONLY': [[{ t: '群众李某询问公积金提取政策的来信', d: '人民来信', r: '外部', wf: 'read' }], [{ t: '群众李某反映公积金提取受阻的来信', d: '人民来信', r: '外部', wf: 'handle' }]],
  'EX-PHONE-ENVELOPE': [[{ t: '市委办来电：明日上午会议改期', d: '电话通知记录', r: '上级' }, { t: '来文封套', d: '信封', r: '同级' }], [{ t: '市委办关于会议改期的通知', d: '通知', r: '上级', dist: '主送', wf: 'read' }]],
  'EX-SUB-SUBANNUAL': [[{ t: '西城区2025年第二季度工作总结', d: '总结', r: '下级' }, { t: '南湖区2025年9月份工作计划', d: '计划', r: '下级' }, { t: '北湖区2025年上半年统计报表', d: '统计表', r: '下级' }], [{ t: '西城区2025年度工作总结', d: '总结', r: '下级' }]],
  'Y-OWN-RULES': [[{ t: '示范市人民政府办公室公文处理细则', d: '细则', r: '本机关' }, { t: '关于进一步规范政务公开工作的若干意见', d: '若干意见', r: '本机关' }], [{ t: '关于进一步规范政务公开工作的若干意见', d: '若干意见', r: '上级', dist: '主送' }]],
  'Y-OWN-RULES-ISSUED': [[{ t: '关于印发《机关公务接待管理规定》的通知', d: '通知', r: '本机关' }, { t: '关于印发机关差旅费报销细则的通知', d: '印发通知', r: '本机关' }], [{ t: '关于做好机关公务接待工作的通知', d: '通知', r: '本机关' }]],
  'Y-MINUTES': [[{ t: '市政府第18次常务会议纪要', d: '纪要', r: '本机关' }, { t: '办公室党组2025年第3次会议纪要', d: '会议纪要', r: '本机关' }], [{ t: '全市防汛工作推进会纪要', d: '纪要', r: '本机关' }]],
  'R-MINUTES-OTHER': [[{ t: '全市防汛工作推进会纪要', d: '纪要', r: '本机关' }, { t: '政务公开专题协调会会议记录', d: '会议记录', r: '本机关' }], [{ t: '办公室党组会议记录', d: '会议记录', r: '本机关' }]],
  'Y-MEETING-MAIN': [[{ t: '秘书长在全市政府办公室系统工作会议上的讲话', d: '讲话', r: '本机关' }, { t: '关于召开全市年度政务工作大会的通知', d: '通知', r: '本机关' }], [{ t: '关于召开科室周例会的通知', d: '通知', r: '本机关' }]],
  'D30-MEETING-EXCHANGE': [[{ t: '全市政务工作会议经验交流材料', d: '交流材料', r: '本机关' }, { t: '全市政务工作会议典型发言汇编', d: '其他', r: '本机关' }], [{ t: '全市政务工作会议议程', d: '其他', r: '本机关' }]],
  'D10-NOT-ADOPTED': [[{ t: '机关车辆管理办法修订方案（未通过）', d: '方案', r: '本机关' }, { t: '关于调整值班补助标准的建议（未予采纳）', d: '其他', r: '本机关' }], [{ t: '关于调整值班补助标准的通知', d: '通知', r: '本机关' }]],
  'Y-ORGANISATION': [[{ t: '关于调整办公室领导班子成员分工的通知', d: '通知', r: '本机关' }, { t: '市编委关于市政府办公室内设科室调整的批复', d: '批复', r: '上级', dist: '主送' }], [{ t: '关于开展机关作风建设月活动的通知', d: '通知', r: '本机关' }]],
  'Y-SUPERIOR-REPLY': [[{ t: '市政府关于同意调整机关食堂开放时间的批复', d: '批复', r: '上级', dist: '主送' }], [{ t: '市政府关于同意设立市政务数据中心的批复', d: '批复', r: '上级', dist: '主送' }]],
  'Y-SUPERIOR-REPLY-IMPORTANT': [[{ t: '省政府关于同意撤销示范市信息中心的批复', d: '批覆', r: '上级', dist: '主送' }, { t: '省发改委关于政务云二期建设项目立项的批复', d: '批复', r: '上级', dist: '主送' }], [{ t: '省政府关于同意延期报送材料的批复', d: '批复', r: '上级', dist: '主送' }]],
  'Y-OWN-REPLY': [[{ t: '关于同意东城区调整周末值班方式的批复', d: '批复', r: '本机关' }], [{ t: '关于同意东城区设立政务服务分中心的批复', d: '批复', r: '本机关' }]],
  'Y-OWN-REPLY-IMPORTANT': [[{ t: '关于同意南湖区开展政务服务改革试点的批复', d: '批复', r: '本机关' }], [{ t: '关于同意南湖区推迟报送月报的批复', d: '批复', r: '本机关' }]],
  'Y-NPC-LEAD': [[{ t: '关于市人大代表张某某所提第12号代表建议的答复', d: '函', r: '本机关' }], [{ t: '关于市人大代表张某某所提第12号代表建议的会办意见', d: '函', r: '本机关' }]],
  'D30-NPC-ASSIST': [[{ t: '对市政协委员李某提案的协办意见', d: '函', r: '本机关' }], [{ t: '对市政协委员李某提案的答复', d: '函', r: '本机关' }]],
  'Y-OWN-REQUEST': [[{ t: '关于商请调整机关食堂补贴的请示', d: '请示', r: '本机关' }], [{ t: '关于申请设立政务数据管理科的请示', d: '请示', r: '本机关' }]],
  'Y-OWN-REQUEST-IMPORTANT': [[{ t: '关于申请设立政务数据管理科的请示', d: '请示件', r: '本机关' }, { t: '关于争取政务服务综合改革试点的请示', d: '请示', r: '本机关' }], [{ t: '关于商请调整机关食堂补贴的请示', d: '请示', r: '本机关' }]],
  'Y-OWN-SUMMARY': [[{ t: '示范市人民政府办公室2025年工作要点', d: '工作要点', r: '本机关' }, { t: '市政府办公室2024年度工作总结', d: '工作总结', r: '本机关' }], [{ t: '市政府办公室2025年上半年工作总结', d: '工作总结', r: '本机关' }]],
  'Y-OWN-ANNUAL-REPORT': [[{ t: '关于2024年度政务公开工作情况的报告', d: '报告', r: '本机关' }], [{ t: '关于近期政务公开工作情况的报告', d: '报告', r: '本机关' }]],
  'Y-ASSETS': [[{ t: '机关办公用房产权移交清单', d: '其他', r: '本机关' }, { t: '关于市政务中心建设用地划拨的函', d: '函', r: '同级' }], [{ t: '关于机关办公用房维修的通知', d: '通知', r: '本机关' }]],
  'Y-CONTRACT-MAJOR': [[{ t: '市政务服务一体化平台建设合同', d: '合同书', r: '本机关' }], [{ t: '机关绿植租摆服务合同', d: '合同书', r: '本机关' }]],
  'Y-SUPERIOR-REGULATION': [[{ t: '省政府办公厅关于印发《政务服务事项管理规范》的通知', d: '通知', r: '上级', dist: '主送' }], [{ t: '省政府办公厅关于印发《政务服务事项管理规范》的通知', d: '通知', r: '上级', dist: '抄送' }]],
  'D30-SUPERIOR-OWN-BUSINESS': [[{ t: '省政府办公厅关于加强政务值班工作的通知', d: '通知', r: '上级', dist: '主送' }, { t: '省政府办公厅关于做好公文质量检查的通知', d: '通知', r: '上级', dist: '主送' }], [{ t: '省政府办公厅关于做好秋冬季疫病防控的通知', d: '通知', r: '上级', dist: '主送' }]],
  'D30-PEER-LETTER': [[{ t: '市交通局关于商请提供公务用车数据的函', d: '商洽函', r: '同级', dist: '主送' }, { t: '某律师事务所关于法律顾问服务续约的函', d: '函', r: '外部' }], [{ t: '市交通局关于商请提供公务用车数据的函', d: '函', r: '同级', dist: '抄送' }]],
  'Y-PHOTO-EVENT': [[{ t: '市长调研政务服务中心现场照片', d: '照片', r: '本机关', media: 'photo' }, { t: '政务数据中心揭牌照片', d: '照片', r: '本机关', media: 'photo' }], [{ t: '机关职工羽毛球比赛照片', d: '照片', r: '本机关', media: 'photo' }]],
  'D30-PHOTO': [[{ t: '机关职工羽毛球比赛照片', d: '照片', r: '本机关', media: 'photo' }], [{ t: '市政府常务会议照片', d: '照片', r: '本机关', media: 'photo' }]],
  'Y-RECORDING-MEETING': [[{ t: '全市政务工作大会主会场录像', d: '录像', r: '本机关', media: 'video' }, { t: '新闻发布会录音', d: '录音', r: '本机关', media: 'audio' }], [{ t: '机关迎新春文艺汇演录像', d: '录像', r: '本机关', media: 'video' }]],
  'D30-RECORDING': [[{ t: '机关迎新春文艺汇演录像', d: '录像', r: '本机关', media: 'video' }], [{ t: '机关迎新春文艺汇演照片', d: '照片', r: '本机关', media: 'photo' }]],
  'D30-OWN-SUBANNUAL': [[{ t: '办公室2025年第三季度工作小结', d: '小结', r: '本机关' }, { t: '综合科2025年10月份工作安排', d: '工作安排', r: '本机关' }], [{ t: '办公室2025年工作安排', d: '工作安排', r: '本机关' }]],
  'R-OWN-PERIODLESS-SUMMARY': [[{ t: '政务公开工作总结', d: '总结', r: '本机关' }, { t: '信息中心工作计划', d: '计划', r: '本机关' }], [{ t: '信息中心2026年工作计划', d: '计划', r: '本机关' }]],
  'Y-OWN-COMMUNIQUE': [[{ t: '示范市2024年国民经济和社会发展统计公报', d: '统计公报', r: '本机关' }], [{ t: '示范省2024年统计公报', d: '公报', r: '上级', dist: '普发', wf: 'read' }]],
  'Y-OWN-CORE-BUSINESS': [[{ t: '示范市数字政府建设“十五五”规划', d: '规划', r: '本机关' }, { t: '市政府办公室2025年大事记', d: '大事记', r: '本机关' }], [{ t: '关于征集“十五五”规划建议的函', d: '函', r: '同级', dist: '抄送' }]],
  'R-OWN-PROGRAMME': [[{ t: '2025年政务服务“好差评”提升行动方案', d: '实施方案', r: '本机关' }], [{ t: '关于印发政务服务“好差评”实施办法的通知', d: '通知', r: '本机关' }]],
  'Y-ADMIN-APPROVAL': [[{ t: '关于准予某公司户外广告设置许可的决定', d: '决定', r: '本机关' }, { t: '示范市某项目核准的决定', d: '决定', r: '本机关' }], [{ t: '关于某公司户外广告设置许可申请材料补正的通知', d: '通知', r: '本机关' }]],
  'R-INSPECTION': [[{ t: '省长视察示范市政务服务中心时的讲话', d: '讲话', r: '本机关' }, { t: '副省长来我市检查指导防汛工作情况汇报', d: '报告', r: '本机关' }], [{ t: '关于开展汛期安全检查的通知', d: '通知', r: '本机关' }]],
  'R-LICENCE': [[{ t: '机关食堂食品经营许可证', d: '许可证', r: '本机关' }, { t: '信息中心无线电台执照', d: '执照', r: '本机关' }], [{ t: '关于办理食品经营许可证延续的通知', d: '通知', r: '本机关' }]],
  'R-FOREIGN-AFFAIRS': [[{ t: '关于市长率团出访德国的请示', d: '请示', r: '本机关' }, { t: '关于接待外宾代表团的工作方案', d: '方案', r: '本机关' }], [{ t: '关于接待省调研组的工作方案', d: '方案', r: '本机关' }]],
  'Y-CONGRESS': [[{ t: '示范市政府办公室第二届职工代表大会决议', d: '决议', r: '本机关' }, { t: '在教代会上的工作报告', d: '报告', r: '本机关' }], [{ t: '关于做好人大代表接待日工作的通知', d: '通知', r: '本机关' }]],
  'Y-MOTION-LEAD': [[{ t: '王某某等12名代表关于加快老旧小区改造的议案', d: '议案', r: '外部', wf: 'lead' }, { t: '张代表关于增设公交线路的建议', d: '代表建议', r: '外部', wf: 'lead' }], [{ t: '王某某等12名代表关于加快老旧小区改造的议案', d: '议案', r: '外部', wf: 'assist' }]],
  'D30-MOTION-ASSIST': [[{ t: '李委员关于加强社区养老服务的提案', d: '政协提案', r: '外部', wf: 'assist' }], [{ t: '李委员关于加强社区养老服务的提案', d: '政协提案', r: '外部', wf: 'lead' }]],
  'R-MOTION': [[{ t: '李委员关于加强社区养老服务的提案', d: '提案', r: '外部', wf: 'handle' }], [{ t: '李委员关于加强社区养老服务的提案', d: '提案', r: '外部', wf: 'assist' }]],
  'D30-PUBLIC-LETTER-HANDLED': [[{ t: '居民赵某反映路灯损坏的来信', d: '群众来信', r: '外部', wf: 'handle' }], [{ t: '居民赵某反映路灯损坏的来信', d: '群众来信', r: '外部', wf: 'read' }]],
  'D30-OWN-PERSONNEL': [[{ t: '关于2025年度机关工作人员职称评审推荐的通知', d: '通知', r: '本机关' }, { t: '关于王某某同志退休的通知', d: '通知', r: '本机关' }], [{ t: '关于王某某同志任职的通知', d: '通知', r: '本机关' }]],
  'R-SUPERIOR-DECREE': [[{ t: '示范省人民政府令第301号', d: '令', r: '上级', dist: '主送' }, { t: '省政府令（政务数据管理办法）', d: '命令（令）', r: '上级', dist: '普发', wf: 'handle' }], [{ t: '省政府令（政务数据管理办法）', d: '命令', r: '上级', dist: '普发', wf: 'read' }]],
  'D30-OWN-NOTICE': [[{ t: '关于开展政务信息报送质量评比的通知', d: '通知', r: '本机关' }, { t: '关于全市政务信息报送情况的通报', d: '通报', r: '本机关' }], [{ t: '关于开展政务信息报送质量评比的通知', d: '通知', r: '同级', dist: '主送', wf: 'read' }]],
  'D30-CONTRACT': [[{ t: '机关保洁服务合同', d: '合同', r: '本机关' }, { t: '会议室音响设备维保协议', d: '协议书', r: '本机关' }], [{ t: '机关保洁服务采购公告', d: '其他', r: '本机关' }]],
  'D10-OWN-ROUTINE': [[{ t: '关于2025年中秋国庆期间值班的通知', d: '通知', r: '本机关' }, { t: '关于机关干部职工年度体检的通知', d: '通知', r: '本机关' }], [{ t: '关于加强政务值班信息报送的通知', d: '通知', r: '本机关' }]],
  'D10-SUPERIOR-IMPLEMENT': [[{ t: '市政府关于开展全民健身月活动的通知', d: '通知', r: '上级', dist: '主送' }, { t: '市政府关于做好冬季供暖保障的意见', d: '实施意见', r: '上级', dist: '普发', wf: 'handle' }], [{ t: '市政府关于开展全民健身月活动的通知', d: '通知', r: '上级', dist: '抄送' }]],
  'D10-PEER-IMPLEMENT': [[{ t: '市消防支队关于开展消防安全检查的通知', d: '通知', r: '同级', dist: '主送' }], [{ t: '市消防支队关于开展消防安全检查的通知', d: '通知', r: '同级', dist: '主送', wf: 'read' }]],
  'D30-SUB-SPECIAL-REPORT': [[{ t: '东城区关于智慧社区试点情况的报告', d: '专题报告', r: '下级', dist: '主送' }, { t: '西城区关于增拨防汛经费的请示', d: '请示', r: '下级', dist: '主送' }], [{ t: '西城区关于增拨防汛经费的请示', d: '请示', r: '下级', dist: '越级抄报' }]],
  'D10-SUB-PLAN': [[{ t: '东城区2026年工作要点', d: '工作要点', r: '下级' }, { t: '南湖区2024年度统计报表', d: '报表', r: '下级' }], [{ t: '东城区2025年1月工作要点', d: '工作要点', r: '下级' }]],
};

let schedule: RetentionSchedule;
beforeAll(async () => {
  schedule = await loadSchedule();
});

describe('every rule of the default schedule, by example', () => {
  it('has documents it decides and near misses it leaves alone, for every rule', () => {
    const missing = schedule.rules.filter((r) => !EXAMPLES[r.id] || EXAMPLES[r.id]![0].length === 0 || EXAMPLES[r.id]![1].length === 0).map((r) => r.id);
    expect(missing).toEqual([]);
    const unknown = Object.keys(EXAMPLES).filter((id) => !schedule.rules.some((r) => r.id === id));
    expect(unknown).toEqual([]);
  });

  for (const [ruleId, [positives, negatives]] of Object.entries(EXAMPLES)) {
    it(`${ruleId} decides its examples and not its near misses`, () => {
      for (const e of positives) expect({ title: e.t, ruleIds: decide(schedule, e).ruleIds }).toEqual({ title: e.t, ruleIds: expect.arrayContaining([ruleId]) });
      for (const e of negatives) expect({ title: e.t, ruleIds: decide(schedule, e).ruleIds }).toEqual({ title: e.t, ruleIds: expect.not.arrayContaining([ruleId]) });
    });
  }
});
