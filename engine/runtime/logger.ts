export * from '../../contract/logger.js';
