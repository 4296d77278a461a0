export { ERROR_CODES, type ErrorCode, isParityError, ParityError } from './errors.ts';
