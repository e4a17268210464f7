import { Aspects, CfnResource, IAspect, Stack, Token, aws_iam as iam } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

/** What every IAM role the library creates carries: a permissions boundary and a path, as many organisations require. */
export interface RoleSettings {
  /**
   * The permissions boundary of every role the library creates (an SCP often requires one).
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;
  /**
   * The path of every role the library creates, such as `/workloads/` (it begins and ends with
   * a slash).
   * @default '/'
   */
  readonly path?: string;
}

/**
 * A role path: `/`, or `/` + printable ASCII + `/`, at most 512 characters. Source: IAM API
 * Reference, CreateRole (Path).
 */
export function checkRolePath(scope: IConstruct, path: string | undefined): void {
  if (path === undefined || Token.isUnresolved(path)) return;
  if (path.length > 512 || !/^\/([\x21-\x7E]*\/)?$/.test(path)) {
    throw new ShipyardError(scope, ErrorCode.ROLES, `role path ${show(path)} is not an IAM path`,
      'give a path that begins and ends with a slash, such as /workloads/, of printable characters without spaces, up to 512');
  }
}

/**
 * A permissions boundary is a managed policy's ARN (IAM API Reference, CreateRole:
 * PermissionsBoundary, "the ARN of the managed policy"): a name given where the ARN goes
 * (`ManagedPolicy.fromManagedPolicyArn(scope, id, 'my-boundary')`) fails at deploy.
 */
export function checkBoundary(scope: IConstruct, boundary: iam.IManagedPolicy | undefined): void {
  const arn = boundary?.managedPolicyArn;
  if (arn === undefined || Token.isUnresolved(arn)) return;
  if (!/^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/.+/.test(arn)) {
    throw new ShipyardError(scope, ErrorCode.ROLES, `permissionsBoundary ${show(arn)} is not a managed policy ARN`,
      /^arn:/.test(arn) ? 'give the ARN of an IAM managed policy (arn:aws:iam::<account>:policy/<name>)'
        : `name the policy with iam.ManagedPolicy.fromManagedPolicyName(scope, id, ${show(arn)}), which makes its ARN`);
  }
}

/**
 * Put the settings on every role under `scope`: aws-cdk-lib's PermissionsBoundary aspect
 * (roles and custom-resource provider roles), and an aspect that sets the path of each role
 * that has none.
 */
export function applyRoleSettings(scope: IConstruct, settings: RoleSettings | undefined): void {
  if (!settings) return;
  checkRolePath(scope, settings.path);
  checkBoundary(scope, settings.permissionsBoundary);
  if (settings.permissionsBoundary) iam.PermissionsBoundary.of(scope).apply(settings.permissionsBoundary);
  if (settings.path !== undefined && settings.path !== '/') Aspects.of(scope).add(new RolePath(settings.path));
}

/**
 * The environment's settings also reach the roles of the custom-resource providers its
 * resources use (aws-cdk-lib puts those at the stack's root).
 */
export function applyRoleSettingsToProviders(stack: Stack, settings: RoleSettings | undefined): void {
  if (!settings) return;
  for (const child of stack.node.children) {
    if (/CustomResourceProvider$/.test(child.node.id)) applyRoleSettings(child, settings);
  }
}

class RolePath implements IAspect {
  constructor(private readonly path: string) {}

  public visit(node: IConstruct): void {
    if (node instanceof iam.CfnRole) {
      if (node.path === undefined) node.path = this.path;
    } else if (node instanceof CfnResource && node.cfnResourceType === 'AWS::IAM::Role') {
      node.addPropertyOverride('Path', this.path);
    }
  }
}

/**
 * A role a task assumes must trust ecs-tasks.amazonaws.com (one ECS assumes, `principal`); a role made in the app is
 * checked, an imported one is taken as given.
 */
export function checkTaskRoleTrust(scope: IConstruct, what: string, role: iam.IRole | undefined, principal = 'ecs-tasks.amazonaws.com'): void {
  if (!(role instanceof iam.Role) || !role.assumeRolePolicy) return;
  const trust = JSON.stringify(Stack.of(role).resolve(role.assumeRolePolicy.toJSON()));
  if (!trust.includes(principal)) {
    const who = principal === 'ecs-tasks.amazonaws.com' ? 'tasks' : 'ECS';
    throw new ShipyardError(scope, ErrorCode.ROLES, `the ${what} ${role.node.path} does not trust ${principal}, so ${who} cannot assume it`,
      `create it with assumedBy: new iam.ServicePrincipal('${principal}')`);
  }
}
