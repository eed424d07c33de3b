import { Body, Controller, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';
import { ClientMeta, CurrentUser, RequestMeta, Roles } from '../../common/auth/decorators';
import { sendCsv } from '../../common/csv/csv';
import { UuidParam } from '../../common/validators/uuid-param.pipe';
import { ListProductsQueryDto } from './dto/list-products-query.dto';
import { CreateProductDto, UpdateProductDto } from './dto/product.dto';
import { PRODUCT_CSV_COLUMNS, ProductPage, ProductResponse } from './dto/product.response';
import { ProductsService } from './products.service';

@ApiTags('catalog')
@ApiBearerAuth()
@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  // Without `passthrough` Nest sends nothing itself: each branch sends the reply once, so the
  // CSV stream is the only body ever written.
  @Get()
  @ApiOperation({
    summary: 'List products by name, with search and filters. Roles: admin, manager, cashier',
    description: 'With `format=csv` every matching product is streamed as CSV (page is ignored).',
  })
  @ApiExtraModels(ProductPage)
  @ApiOkResponse({
    description: 'A page of products, or with `format=csv` a CSV attachment (products.csv)',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(ProductPage) } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  async list(
    @Query() query: ListProductsQueryDto,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    if (query.format === 'csv') {
      return sendCsv(reply, 'products.csv', PRODUCT_CSV_COLUMNS, this.products.stream(query));
    }
    return reply.send(await this.products.list(query));
  }

  @Post()
  @Roles('admin', 'manager')
  @ApiOperation({ summary: 'Create a product. Roles: admin, manager' })
  @ApiCreatedResponse({ type: ProductResponse })
  create(
    @CurrentUser() actor: AuthUser,
    @Body() dto: CreateProductDto,
    @ClientMeta() meta: RequestMeta,
  ) {
    return this.products.create(actor, dto, meta);
  }

  // Declared before ':id' so that "barcode" is never taken for an id.
  @Get('barcode/:barcode')
  @ApiOperation({
    summary: 'The product with this barcode (404 if none). Roles: admin, manager, cashier',
  })
  @ApiOkResponse({ type: ProductResponse })
  findByBarcode(@Param('barcode') barcode: string) {
    return this.products.findByBarcode(barcode);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One product. Roles: admin, manager, cashier' })
  @ApiOkResponse({ type: ProductResponse })
  get(@Param('id', UuidParam) id: string) {
    return this.products.get(id);
  }

  @Patch(':id')
  @Roles('admin', 'manager')
  @ApiOperation({
    summary: 'Update a product; barcode or category null clears it. Roles: admin, manager',
  })
  @ApiOkResponse({ type: ProductResponse })
  update(
    @CurrentUser() actor: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: UpdateProductDto,
    @ClientMeta() meta: RequestMeta,
  ) {
    return this.products.update(actor, id, dto, meta);
  }
}
