import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES } from '../../shared/app/routes.js';
import type { RoutedFunction } from '../../shared/platform/http/routes.js';
import { acknowledge } from '../config/nag.js';

const ACCESS_LOG = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  responseLength: '$context.responseLength',
  caller: '$context.identity.userArn',
};

/** Why each public route needs no SigV4 (cdk-nag's APIG4). */
const PUBLIC_REASONS: Record<string, string> = {
  '/healthz': 'A load balancer-style health check: it answers only {"status":"ok"} and reveals no state.',
  '/webhook':
    'Meta cannot sign with SigV4. The function verifies X-Hub-Signature-256 (HMAC-SHA256 with the app secret) on every delivery and answers 401 before queueing anything.',
  '/data-deletion':
    "Meta's Data Deletion Request Callback cannot sign with SigV4: the function verifies the signed_request (HMAC-SHA256 with the app secret) and answers 400 before erasing anything.",
  '/data-deletion/{confirmationCode}':
    'The status page Meta requires the deletion callback to link to, for the person who asked: it names nobody and answers only for an unguessable confirmation code.',
};

/**
 * The HTTP API: every route of the one route table (`shared/app/routes.ts`), each sent to its function;
 * `/v1` requires SigV4, `/webhook` and `/healthz` are public (the webhook checks Meta's HMAC signature).
 */
export class SwitchboardHttpApi extends Construct {
  public readonly httpApi: HttpApi;
  public readonly stage: HttpStage;

  public constructor(scope: Construct, id: string, functions: Record<RoutedFunction, IFunction>) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', { description: 'Switchboard', createDefaultStage: false });
    const accessLogs = new LogGroup(this, 'HttpApiAccessLogs', {
      // API Gateway adds a log group to the account's CloudWatch Logs resource policy (5,120 characters at most)
      // unless its name starts with /aws/vendedlogs/: in a busy account the Stage would fail to create
      // ("Policy document length breaking Cloudwatch Logs Constraints").
      logGroupName: `/aws/vendedlogs/apigateway/${Stack.of(this).stackName}-http-api-access`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG)),
      },
    });
    // Meta's deliveries get their own, higher limits; the /v1 routes keep the stage default.
    // RouteSettings is passed to CloudFormation as is, hence its property names.
    (this.stage.node.defaultChild as CfnStage).routeSettings = {
      'POST /webhook': { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      'GET /webhook': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    };
    this.addRoutes(functions);
  }

  private addRoutes(functions: Record<RoutedFunction, IFunction>): void {
    const integrations = new Map<RoutedFunction, HttpLambdaIntegration>();
    const integration = (fn: RoutedFunction) => {
      const existing = integrations.get(fn);
      if (existing !== undefined) return existing;
      const created = new HttpLambdaIntegration(`${fn}Integration`, functions[fn]);
      integrations.set(fn, created);
      return created;
    };
    const iam = new HttpIamAuthorizer();
    for (const route of ROUTES.routes) {
      const [created] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integration(route.function),
        ...(route.auth === 'iam' ? { authorizer: iam } : {}),
      });
      if (created === undefined) continue;
      this.stage.node.addDependency(created);
      if (route.auth === 'none') {
        acknowledge(
          created,
          'AwsSolutions-APIG4',
          PUBLIC_REASONS[route.path] ?? PUBLIC_REASONS['/webhook'] ?? '',
        );
      }
    }
  }
}
