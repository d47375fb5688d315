import { describe, expect, it } from 'vitest';
import { saveErrorText } from '../../../connectors/salesforce/save-error-text.ts';

describe('saveErrorText', () => {
  it('says a required-field error once: no repeated code, no repeated field list', () => {
    expect(
      saveErrorText([
        {
          statusCode: 'REQUIRED_FIELD_MISSING',
          message: 'Required fields are missing: [Company]',
          fields: ['Company'],
        },
      ]),
    ).toBe('Required fields are missing: [Company]');
  });

  it('adds fields the message does not name, and keeps the code of further errors', () => {
    expect(
      saveErrorText([
        { statusCode: 'STRING_TOO_LONG', message: 'data value too large', fields: ['Title'] },
        {
          statusCode: 'INVALID_EMAIL_ADDRESS',
          message: 'Email: invalid email address: x',
          fields: ['Email'],
        },
      ]),
    ).toBe('data value too large [Title]; INVALID_EMAIL_ADDRESS: Email: invalid email address: x');
  });
});
