/** `create`: writes the files in templates/ (configs, server script, log ini). */
export { listTemplates, writeTemplate, type TemplateInfo, type WriteTemplateOptions } from './templates.js';
export { ScaffoldError, type ScaffoldErrorCode } from './errors.js';
