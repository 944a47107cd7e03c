export * from '../../contract/table-pattern.js';
