import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../src/sandbox/core/errors.js';
import { parseQueryBody, queryErrorBody, queryResponseBody, signingNameFromAuthorization, toXml } from '../../../src/sandbox/core/query-protocol.js';

describe('parseQueryBody', () => {
  it('un-flattens member lists, nested structures and maps', () => {
    const body = [
      'Action=ModifyRule',
      'Version=2015-12-01',
      'RuleArn=arn%3Arule',
      'Actions.member.1.Type=forward',
      'Actions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn=b',
      'Actions.member.1.ForwardConfig.TargetGroups.member.2.Weight=10',
      'Actions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn=a',
      'Actions.member.1.ForwardConfig.TargetGroups.member.1.Weight=90',
      'Attributes.entry.1.key=k',
      'Attributes.entry.1.value=v',
    ].join('&');
    expect(parseQueryBody(body)).toEqual({
      action: 'ModifyRule',
      version: '2015-12-01',
      params: {
        RuleArn: 'arn:rule',
        Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'a', Weight: '90' }, { TargetGroupArn: 'b', Weight: '10' }] } }],
        Attributes: { k: 'v' },
      },
    });
  });

  it('orders members numerically, not lexically', () => {
    const body = ['Action=X', ...Array.from({ length: 11 }, (_, i) => `Names.member.${i + 1}=n${i + 1}`)].join('&');
    expect(parseQueryBody(body).params.Names).toEqual(Array.from({ length: 11 }, (_, i) => `n${i + 1}`));
  });

  it('reads a bare plural key as an empty list', () => {
    expect(parseQueryBody('Action=DescribeTargetGroups&Names=&Marker=').params).toEqual({ Names: [], Marker: '' });
  });

  it('requires an Action', () => {
    expect(() => parseQueryBody('Version=1')).toThrow(AwsError);
  });
});

describe('XML output', () => {
  it('writes lists as member elements, dates as ISO-8601 and escapes text', () => {
    expect(toXml({ A: [1, 2], B: { C: true }, D: new Date(Date.UTC(2026, 0, 1)), E: 'a<b&c', F: undefined })).toBe(
      '<A><member>1</member><member>2</member></A><B><C>true</C></B><D>2026-01-01T00:00:00.000Z</D><E>a&lt;b&amp;c</E>',
    );
  });

  it('wraps results and errors like AWS', () => {
    expect(queryResponseBody('DescribeX', { Items: [] }, 'urn:ns', 'req-1')).toBe(
      '<DescribeXResponse xmlns="urn:ns"><DescribeXResult><Items></Items></DescribeXResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DescribeXResponse>',
    );
    expect(queryErrorBody(new AwsError('TargetGroupNotFound', 'nope'), 'urn:ns', 'req-2')).toBe(
      '<ErrorResponse xmlns="urn:ns"><Error><Type>Sender</Type><Code>TargetGroupNotFound</Code><Message>nope</Message></Error><RequestId>req-2</RequestId></ErrorResponse>',
    );
  });
});

describe('signingNameFromAuthorization', () => {
  it('reads the service from the SigV4 credential scope', () => {
    const header = 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=abc';
    expect(signingNameFromAuthorization(header)).toBe('elasticloadbalancing');
    expect(signingNameFromAuthorization(undefined)).toBeUndefined();
  });
});
