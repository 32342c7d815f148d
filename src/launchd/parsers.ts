// Pure readers of launchctl output and exit statuses (specs/launchd-behaviour.md §5-§7); the shell passes text in, nothing here does I/O.
export { decodeWaitStatus, explainExit, isCrash, signalName, sysexitName, type LastExit } from './exit-status.js';
export {
  childBlock,
  headerBlock,
  parsePrintTree,
  readInt,
  readList,
  readMap,
  readPairs,
  uniqueMap,
  scalar,
  scalars,
  splitProperties,
  unquote,
  RAW_SECTIONS,
  type PrintBare,
  type PrintBlock,
  type PrintEntry,
  type PrintNode,
} from './print-grammar.js';
export { parseServicePrint, type ServicePrint } from './parse-service-print.js';
export { parseDomainPrint, type DomainPrint, type DomainService, type DomainServiceStatus } from './parse-domain-print.js';
export { parsePrintDisabled, findDisabledSections, readDisabledServices } from './parse-print-disabled.js';
export { parseList, type ListRow } from './parse-list.js';
export { parseListLabel, parseOpenStepLoose, type ListLabel, type OpenStepValue } from './parse-list-label.js';
