import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  type IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { Credentials } from './moto-deploy.js';
import { motoPolicy, type PolicyDocument } from './moto-differences.js';
import {
  functionsOf,
  list,
  referencedId,
  resolveValue,
  resourcesOfType,
  type StandInNames,
  type Template,
} from './template.js';

/** A user with every permission: the rehearsal's own calls (setting up, draining queues, reading state). */
export const createAdmin = async (iam: IAMClient): Promise<Credentials> => {
  await iam.send(new CreateUserCommand({ UserName: 'rehearsal' }));
  const everything = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'rehearsal',
      PolicyName: 'all',
      PolicyDocument: JSON.stringify(everything),
    }),
  );
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'rehearsal' }))).AccessKey;
  return { accessKeyId: String(key?.AccessKeyId), secretAccessKey: String(key?.SecretAccessKey) };
};

/** The inline policies the template attaches to a role, with references resolved to moto's names. */
export const rolePolicies = (template: Template, roleId: string, names: StandInNames) =>
  resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      list(policy.Properties?.Roles as unknown[]).some((role) => referencedId(role) === roleId),
    )
    .map(([id, policy]) => {
      const document = policy.Properties?.PolicyDocument as PolicyDocument;
      const resolved = JSON.parse(
        JSON.stringify(document, (_key, value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          ('Ref' in value || 'Fn::GetAtt' in value || 'Fn::Join' in value)
            ? resolveValue(template, value, names)
            : value,
        ),
      ) as PolicyDocument;
      return { id, document: resolved };
    });

/**
 * Each function's role created in moto from the template (its inline policies, through motoPolicy), and
 * credentials of that role from sts:AssumeRole: the function signs every call with them, and moto judges it.
 */
export const createRoles = async (
  template: Template,
  iam: IAMClient,
  sts: STSClient,
  names: StandInNames,
): Promise<Map<string, Credentials>> => {
  const credentials = new Map<string, Credentials>();
  for (const fn of functionsOf(template)) {
    const roleId = fn.roleId ?? '';
    const roleName = `rehearsal-${roleId}`.slice(0, 64);
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
    };
    const role = await iam.send(
      new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }),
    );
    for (const { id, document } of rolePolicies(template, roleId, names))
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: roleName,
          PolicyName: id,
          PolicyDocument: JSON.stringify(motoPolicy(document)),
        }),
      );
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: role.Role?.Arn,
        RoleSessionName: fn.logicalId,
        DurationSeconds: 3600,
      }),
    );
    credentials.set(fn.logicalId, {
      accessKeyId: String(assumed.Credentials?.AccessKeyId),
      secretAccessKey: String(assumed.Credentials?.SecretAccessKey),
      sessionToken: String(assumed.Credentials?.SessionToken),
    });
  }
  return credentials;
};
