/**
 * IFLYTEK (app descriptions): which of 119 app categories does a description belong to? Label keys
 * are the data's numeric ids as strings (`'0'`…`'118'`); names from the data's `label_words.json`.
 */
import type { Example, TaskDefaults } from '../base.js';
import { readId, requireString, type Where } from '../generic/record.js';
import { FewClueTask } from './fewclue-task.js';

/**
 * `[name, 4-character label word]` by label id (row i is id i). Names: the data's
 * `iflytek/label_words.json`; words: PaddleNLP `examples/few_shot/pet/prompt/iflytek.json` #0, except
 * `免费WIFI` → 免费上网 and `K歌` → 唱歌点歌 (Latin letters are not one token per character).
 */
export const IFLYTEK_LABELS: readonly (readonly [name: string, word: string])[] = [
  ['打车', '打车出行'],
  ['地图导航', '地图导航'],
  ['免费WIFI', '免费上网'],
  ['租车', '租车出行'],
  ['同城服务', '同城跑腿'],
  ['快递物流', '快递物流'],
  ['婚庆', '婚庆结婚'],
  ['家政', '家政服务'],
  ['公共交通', '公共交通'],
  ['政务', '政务服务'],
  ['社区服务', '社区服务'],
  ['薅羊毛', '比价省钱'],
  ['魔幻', '魔幻游戏'],
  ['仙侠', '仙侠小说'],
  ['卡牌', '卡牌游戏'],
  ['飞行空战', '飞行空战'],
  ['射击游戏', '射击游戏'],
  ['休闲益智', '休闲益智'],
  ['动作类', '动作游戏'],
  ['体育竞技', '体育竞技'],
  ['棋牌中心', '棋牌中心'],
  ['经营养成', '经营养成'],
  ['策略', '策略游戏'],
  ['MOBA', '多人竞技'],
  ['辅助工具', '辅助工具'],
  ['约会社交', '约会社交'],
  ['即时通讯', '即时通讯'],
  ['工作社交', '工作社交'],
  ['论坛圈子', '论坛圈子'],
  ['婚恋社交', '婚恋社交'],
  ['情侣社交', '情侣社交'],
  ['社交工具', '社交工具'],
  ['生活社交', '生活社交'],
  ['微博博客', '微博博客'],
  ['新闻', '新闻资讯'],
  ['漫画', '动漫漫画'],
  ['小说', '小说阅读'],
  ['技术', '技术学习'],
  ['教辅', '教育辅助'],
  ['问答交流', '问答交流'],
  ['搞笑', '搞笑娱乐'],
  ['杂志', '杂志期刊'],
  ['百科', '知识百科'],
  ['影视娱乐', '影视娱乐'],
  ['求职', '面试求职'],
  ['兼职', '兼职赚钱'],
  ['视频', '视频拍摄'],
  ['短视频', '拍短视频'],
  ['音乐', '音乐乐库'],
  ['直播', '直播娱乐'],
  ['电台', '电台播报'],
  ['K歌', '唱歌点歌'],
  ['成人', '成人两性'],
  ['中小学', '中学小学'],
  ['职考', '职业考试'],
  ['公务员', '公务员类'],
  ['英语', '英语学习'],
  ['视频教育', '线上教育'],
  ['高等教育', '高等教育'],
  ['成人教育', '成人教育'],
  ['艺术', '艺术学习'],
  ['语言(非英语)', '小语种类'],
  ['旅游资讯', '旅游资讯'],
  ['综合预定', '综合预定'],
  ['民航', '民用航空'],
  ['铁路', '铁路交通'],
  ['酒店', '酒店住宿'],
  ['行程管理', '行程管理'],
  ['民宿短租', '民宿短租'],
  ['出国', '出国相关'],
  ['工具', '使用工具'],
  ['亲子儿童', '亲子儿童'],
  ['母婴', '母婴产品'],
  ['驾校', '驾校学车'],
  ['违章', '违章罚款'],
  ['汽车咨询', '汽车资讯'],
  ['汽车交易', '汽车交易'],
  ['日常养车', '日常养车'],
  ['行车辅助', '行车帮助'],
  ['租房', '租房房源'],
  ['买房', '买房购房'],
  ['装修家居', '装修家居'],
  ['电子产品', '电子产品'],
  ['问诊挂号', '问诊挂号'],
  ['养生保健', '养生保健'],
  ['医疗服务', '医疗服务'],
  ['减肥瘦身', '减肥瘦身'],
  ['美妆美业', '美妆美业'],
  ['菜谱', '做菜菜谱'],
  ['餐饮店', '餐饮美食'],
  ['体育咨讯', '体育资讯'],
  ['运动健身', '运动健身'],
  ['支付', '支付交易'],
  ['保险', '保险理赔'],
  ['股票', '股票炒股'],
  ['借贷', '借贷借款'],
  ['理财', '投资理财'],
  ['彩票', '彩票乐透'],
  ['记账', '记录记账'],
  ['银行', '银行办理'],
  ['美颜', '美颜相机'],
  ['影像剪辑', '影像剪辑'],
  ['摄影修图', '摄影修图'],
  ['相机', '相机拍照'],
  ['绘画', '绘画学习'],
  ['二手', '二手交易'],
  ['电商', '电商网购'],
  ['团购', '团购拼单'],
  ['外卖', '外卖配送'],
  ['电影票务', '电影票务'],
  ['社区超市', '社区超市'],
  ['购物咨询', '购物资讯'],
  ['笔记', '笔记记录'],
  ['办公', '办公工具'],
  ['日程管理', '日程管理'],
  ['女性', '女性生活'],
  ['经营', '经营管理'],
  ['收款', '收款交易'],
  ['其他', '其他类别'],
];

const ids = IFLYTEK_LABELS.map((_, i) => String(i));

/**
 * IFLYTEK: `sentence` → label id. `meta.label_des` keeps the data's category name where present.
 *
 * @example
 * const task = new IflytekTask({ dataDir: '../shared/fewclue' });
 * task.labels.length;     // => 119
 * task.labelNames['8'];   // => '公共交通'
 */
export class IflytekTask extends FewClueTask {
  static override readonly kind = 'iflytek';
  readonly kind = IflytekTask.kind;
  readonly labels = ids;
  readonly labelNames: Readonly<Record<string, string>> = Object.fromEntries(
    IFLYTEK_LABELS.map(([name], i) => [String(i), name]),
  );
  readonly textFields = ['sentence'] as const;
  readonly defaults: TaskDefaults = {
    pet: {
      template: "下边介绍的是和{'mask': None, 'length': 4}相关的产品：{'text': 'sentence'}",
      verbalizer: Object.fromEntries(IFLYTEK_LABELS.map(([, word], i) => [String(i), [word]])),
    },
    ptuning: {
      template: "{'mask': None, 'length': 4}{'soft': None, 'length': 6}{'text': 'sentence'}",
      verbalizer: Object.fromEntries(IFLYTEK_LABELS.map(([, word], i) => [String(i), [word]])),
    },
    efl: {
      template: "这段文本的应用描述主题是{'text': 'candidate_label'}。{'text': 'sentence'}",
      descriptions: Object.fromEntries(IFLYTEK_LABELS.map(([name], i) => [String(i), name])),
    },
  };
  protected readonly submissionFile = 'iflytekf_predict.json';

  protected parse(r: Readonly<Record<string, unknown>>, where: Where, labelled: boolean): Example {
    return {
      id: readId(r, where),
      fields: { sentence: requireString(r, 'sentence', where) },
      ...(labelled ? { label: requireString(r, 'label', where) } : {}),
      ...(typeof r['label_des'] === 'string' ? { meta: { label_des: r['label_des'] } } : {}),
    };
  }
}
