/**
 * The four properties checked at filing (DA/T 70-2018, GB/T 18894-2016): 真实性 authenticity,
 * 完整性 integrity, 可用性 usability, 安全性 security. Check items are coded n-m as the standard
 * numbers them (n = 1 … 4), now as DA/T 70's filing-stage list GD-n-m (see checks/filingChecks.ts).
 */

// The GD check list lives in checks/; this module keeps the names the rest of the code imports.
export { assessFourProperties } from './checks/filingChecks.ts';
export type { CheckItem, FourPropertiesInput, FourPropertiesReport, Property } from './checks/filingChecks.ts';
