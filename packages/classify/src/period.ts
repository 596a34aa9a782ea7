/**
 * The period a plan, summary, report or statistic covers, read from its title. 8号令 tells them
 * apart: an agency's own 年度 plans and summaries are 永久 (第七条（四）, 表10) and those for less than
 * a year 定期; a subordinate's are kept only when 年度 or longer (第八条（九）). Pure.
 */
export const REPORTING_PERIODS = ['年度以上', '年度', '半年', '季度', '月度', '无'] as const;
export type ReportingPeriod = (typeof REPORTING_PERIODS)[number];

// Checked in this order: a title naming a quarter of a year ("2025年第一季度") is a quarter, not a year.
const PATTERNS: [ReportingPeriod, RegExp][] = [
  ['月度', /\d{4}年\d{1,2}月份?(?!\d{1,2}日)|[一二三四五六七八九十]{1,2}月份|\d{1,2}月份|月度|月报|每月/u],
  ['季度', /季度|季报|[一二三四]季/u],
  ['半年', /半年|上半年|下半年|年中/u],
  ['年度以上', /五年|三年|十[一二三四五]五|\d{4}\s*[—–-－至到]\s*\d{4}年|中长期|规划/u],
  ['年度', /年度|年报|全年|\d{4}年(工作)?(计划|总结|要点|报告)|\d{4}(学)?年.*(计划|总结|要点|统计|报告|公报|年报)/u],
];

export function reportingPeriodOf(title: string): ReportingPeriod {
  for (const [period, pattern] of PATTERNS) if (pattern.test(title)) return period;
  return '无';
}
