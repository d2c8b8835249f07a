#include "generate/tables.h"

#include <array>
#include <vector>

namespace pareto::generate {
namespace {

// name, english, real product count, price median, price sigma, weight median, weight sigma, value effect.
// Price medians are item medians per category (olist-subset items joined to products); product
// counts and weights are the complete olist-reference products file. Value effects are planted.
constexpr Category kCategories[] = {
    {"cama_mesa_banho", "bed_bath_table", 3029, 75.0, 0.71, 1250, 1.04, 0.0},
    {"esporte_lazer", "sports_leisure", 2867, 89.9, 0.90, 750, 1.22, 0.0},
    {"moveis_decoracao", "furniture_decor", 2657, 67.9, 0.78, 1200, 1.23, 0.1},
    {"beleza_saude", "health_beauty", 2444, 80.7, 0.90, 523, 1.13, 0.0},
    {"utilidades_domesticas", "housewares", 2335, 59.9, 0.90, 1050, 1.28, -0.1},
    {"automotivo", "auto", 1900, 79.9, 1.05, 900, 1.40, 0.1},
    {"informatica_acessorios", "computers_accessories", 1639, 79.9, 0.89, 400, 1.07, 0.25},
    {"brinquedos", "toys", 1411, 89.9, 0.78, 700, 1.13, 0.0},
    {"relogios_presentes", "watches_gifts", 1329, 142.4, 0.90, 350, 0.60, 0.4},
    {"telefonia", "telephony", 1134, 30.0, 1.00, 200, 0.64, -0.3},
    {"bebes", "baby", 919, 79.9, 1.00, 850, 1.40, 0.0},
    {"perfumaria", "perfumery", 868, 69.9, 0.90, 400, 0.81, 0.0},
    {"papelaria", "stationery", 849, 80.0, 0.73, 650, 1.26, -0.1},
    {"fashion_bolsas_e_acessorios", "fashion_bags_accessories", 849, 49.9, 0.80, 200, 0.86, -0.3},
    {"cool_stuff", "cool_stuff", 789, 130.0, 0.90, 1100, 1.24, 0.2},
    {"ferramentas_jardim", "garden_tools", 753, 62.5, 0.88, 1130, 1.31, 0.0},
    {"pet_shop", "pet_shop", 719, 95.0, 0.80, 850, 1.40, 0.0},
    {"", "", 610, 68.9, 0.95, 700, 1.32, 0.0},
    {"eletronicos", "electronics", 517, 21.9, 1.00, 250, 1.27, -0.3},
    {"construcao_ferramentas_construcao", "construction_tools_construction", 400, 89.0, 0.86, 1450, 1.40, 0.1},
    {"eletrodomesticos", "home_appliances", 370, 40.1, 0.81, 350, 1.40, 0.0},
    {"malas_acessorios", "luggage_accessories", 349, 99.0, 0.63, 950, 1.30, 0.1},
    {"consoles_games", "consoles_games", 317, 113.3, 1.00, 350, 0.85, 0.2},
    {"moveis_escritorio", "office_furniture", 309, 170.0, 0.55, 11600, 0.71, 0.4},
    {"instrumentos_musicais", "musical_instruments", 289, 91.2, 1.05, 1050, 1.40, 0.2},
    {"eletroportateis", "small_appliances", 231, 193.0, 1.00, 1700, 1.39, 0.4},
    {"casa_construcao", "home_construction", 225, 79.9, 0.88, 1000, 1.33, 0.0},
    {"livros_interesse_geral", "books_general_interest", 216, 40.0, 0.85, 500, 0.71, -0.2},
    {"fashion_calcados", "fashion_shoes", 173, 84.9, 0.50, 900, 0.75, 0.0},
    {"moveis_sala", "furniture_living_room", 156, 104.0, 0.73, 6150, 0.93, 0.3},
    {"climatizacao", "air_conditioning", 124, 159.9, 0.80, 3371, 1.40, 0.4},
    {"livros_tecnicos", "books_technical", 123, 39.9, 0.74, 700, 0.79, -0.1},
    {"telefonia_fixa", "fixed_telephony", 116, 99.9, 1.10, 414, 1.07, 0.1},
    {"casa_conforto", "home_confort", 111, 77.9, 0.90, 2200, 1.12, 0.0},
    {"market_place", "market_place", 104, 62.8, 0.76, 538, 1.24, 0.0},
    {"alimentos_bebidas", "food_drink", 104, 25.0, 0.76, 600, 1.00, -0.3},
    {"fashion_roupa_masculina", "fashion_male_clothing", 95, 49.0, 0.55, 500, 0.52, -0.1},
    {"moveis_cozinha_area_de_servico_jantar_e_jardim", "kitchen_dining_laundry_garden_furniture", 94, 54.9, 0.72, 9949, 1.19, 0.2},
    {"sinalizacao_e_seguranca", "signaling_and_security", 93, 54.3, 0.76, 575, 1.40, 0.0},
    {"construcao_ferramentas_seguranca", "construction_tools_safety", 91, 190.0, 0.85, 600, 1.01, 0.3},
    {"eletrodomesticos_2", "home_appliances_2", 90, 209.9, 1.00, 9048, 1.27, 0.4},
    {"construcao_ferramentas_jardim", "costruction_tools_garden", 88, 52.9, 1.00, 1037, 1.39, 0.0},
    {"alimentos", "food", 82, 38.9, 0.71, 541, 0.98, -0.2},
    {"bebidas", "drinks", 81, 36.5, 0.78, 1300, 1.10, -0.2},
    {"construcao_ferramentas_iluminacao", "construction_tools_lights", 78, 46.0, 0.94, 975, 1.17, 0.0},
    {"agro_industria_e_comercio", "agro_industry_and_commerce", 74, 412.0, 1.10, 2681, 1.40, 0.4},
    {"industria_comercio_e_negocios", "industry_commerce_and_business", 68, 110.0, 0.81, 4223, 1.29, 0.3},
    {"artigos_de_natal", "christmas_supplies", 65, 14.0, 1.00, 550, 1.36, -0.3},
    {"audio", "audio", 58, 57.0, 1.00, 400, 0.77, 0.0},
    {"artes", "art", 55, 48.7, 0.76, 700, 1.17, 0.0},
    {"fashion_underwear_e_moda_praia", "fashion_underwear_beach", 53, 59.9, 0.83, 300, 0.54, -0.1},
    {"dvds_blu_ray", "dvds_blu_ray", 48, 19.9, 1.00, 200, 0.73, -0.2},
    {"moveis_quarto", "furniture_bedroom", 45, 169.0, 0.84, 10600, 1.40, 0.3},
    {"construcao_ferramentas_ferramentas", "costruction_tools_tools", 39, 37.8, 0.60, 800, 0.88, 0.0},
    {"livros_importados", "books_imported", 31, 65.0, 0.50, 650, 0.56, 0.0},
    {"portateis_casa_forno_e_cafe", "small_appliances_home_oven_and_coffee", 31, 579.0, 0.89, 1600, 1.40, 0.5},
    {"pcs", "computers", 30, 730.0, 0.50, 7037, 1.01, 0.5},
    {"cine_foto", "cine_photo", 28, 109.0, 0.60, 374, 1.10, 0.2},
    {"fashion_roupa_feminina", "fashio_female_clothing", 27, 54.9, 0.64, 500, 0.50, -0.1},
    {"musica", "music", 27, 34.9, 1.10, 250, 1.29, 0.0},
    {"artigos_de_festas", "party_supplies", 26, 40.0, 1.00, 1350, 1.39, 0.0},
    {"fashion_esporte", "fashion_sport", 19, 25.0, 0.80, 250, 0.66, -0.1},
    {"artes_e_artesanato", "arts_and_craftmanship", 19, 79.7, 0.80, 500, 1.08, 0.0},
    {"flores", "flowers", 14, 59.9, 0.80, 600, 0.99, 0.0},
    {"fraldas_higiene", "diapers_and_hygiene", 12, 25.0, 0.50, 574, 0.99, -0.2},
    {"la_cuisine", "la_cuisine", 10, 139.0, 0.50, 2572, 0.93, 0.2},
    {"portateis_cozinha_e_preparadores_de_alimentos", "", 10, 517.8, 1.00, 1010, 0.96, 0.4},
    {"moveis_colchao_e_estofado", "furniture_mattress_and_upholstery", 10, 59.9, 0.80, 8423, 1.17, 0.1},
    {"tablets_impressao_imagem", "tablets_printing_image", 9, 99.0, 0.52, 300, 0.67, 0.1},
    {"fashion_roupa_infanto_juvenil", "fashion_childrens_clothes", 5, 49.9, 0.80, 300, 0.73, 0.0},
    {"casa_conforto_2", "home_comfort_2", 5, 12.9, 0.72, 700, 0.79, 0.0},
    {"pc_gamer", "", 3, 184.5, 0.80, 800, 0.65, 0.4},
    {"seguros_e_servicos", "security_and_services", 2, 141.6, 0.80, 700, 0.56, 0.0},
    {"cds_dvds_musicais", "cds_dvds_musicals", 1, 65.0, 0.80, 550, 0.50, 0.0},
};

// The translation file's row order (its first column), as the real file lists it.
constexpr std::string_view kTranslationOrder[] = {
    "beleza_saude", "informatica_acessorios", "automotivo", "cama_mesa_banho", "moveis_decoracao",
    "esporte_lazer", "perfumaria", "utilidades_domesticas", "telefonia", "relogios_presentes",
    "alimentos_bebidas", "bebes", "papelaria", "tablets_impressao_imagem", "brinquedos",
    "telefonia_fixa", "ferramentas_jardim", "fashion_bolsas_e_acessorios", "eletroportateis",
    "consoles_games", "audio", "fashion_calcados", "cool_stuff", "malas_acessorios", "climatizacao",
    "construcao_ferramentas_construcao", "moveis_cozinha_area_de_servico_jantar_e_jardim",
    "construcao_ferramentas_jardim", "fashion_roupa_masculina", "pet_shop", "moveis_escritorio",
    "market_place", "eletronicos", "eletrodomesticos", "artigos_de_festas", "casa_conforto",
    "construcao_ferramentas_ferramentas", "agro_industria_e_comercio", "moveis_colchao_e_estofado",
    "livros_tecnicos", "casa_construcao", "instrumentos_musicais", "moveis_sala",
    "construcao_ferramentas_iluminacao", "industria_comercio_e_negocios", "alimentos", "artes",
    "moveis_quarto", "livros_interesse_geral", "construcao_ferramentas_seguranca",
    "fashion_underwear_e_moda_praia", "fashion_esporte", "sinalizacao_e_seguranca", "pcs",
    "artigos_de_natal", "fashion_roupa_feminina", "eletrodomesticos_2", "livros_importados", "bebidas",
    "cine_foto", "la_cuisine", "musica", "casa_conforto_2", "portateis_casa_forno_e_cafe",
    "cds_dvds_musicais", "dvds_blu_ray", "flores", "artes_e_artesanato", "fraldas_higiene",
    "fashion_roupa_infanto_juvenil", "seguros_e_servicos",
};

// Customer shares are the real export's; seller shares the olist-reference sellers file's.
// Value effects are planted; delivery medians follow the real distance from the sellers (SP).
constexpr State kStates[] = {
    {"SP", "sao paulo", "são paulo", -23.55, -46.63, 41.98, 59.74, 0.00, 7.0, 1000, 19999, 0, -1},
    {"RJ", "rio de janeiro", "rio de janeiro", -22.91, -43.17, 12.92, 5.53, 0.10, 11.0, 20000, 28999, 0, -1},
    {"MG", "belo horizonte", "belo horizonte", -19.92, -43.94, 11.70, 7.88, 0.00, 10.0, 30000, 39999, 0, -1},
    {"RS", "porto alegre", "porto alegre", -30.03, -51.23, 5.50, 4.17, 0.05, 12.5, 90000, 99999, 0, -1},
    {"PR", "curitiba", "curitiba", -25.43, -49.27, 5.07, 11.28, 0.00, 10.0, 80000, 87999, 0, -1},
    {"SC", "florianopolis", "florianópolis", -27.59, -48.55, 3.66, 6.14, 0.00, 12.0, 88000, 89999, 0, -1},
    {"BA", "salvador", "salvador", -12.97, -38.50, 3.40, 0.61, 0.15, 16.0, 40000, 48999, 0, -1},
    {"DF", "brasilia", "brasília", -15.79, -47.88, 2.15, 0.97, 0.25, 11.0, 70000, 72799, 73000, 73699},
    {"ES", "vitoria", "vitória", -20.32, -40.34, 2.04, 0.74, 0.05, 13.0, 29000, 29999, 0, -1},
    {"GO", "goiania", "goiânia", -16.68, -49.25, 2.03, 1.29, 0.10, 12.0, 72800, 72999, 73700, 76799},
    {"PE", "recife", "recife", -8.05, -34.88, 1.66, 0.29, 0.15, 15.0, 50000, 56999, 0, -1},
    {"CE", "fortaleza", "fortaleza", -3.73, -38.52, 1.34, 0.42, 0.15, 17.0, 60000, 63999, 0, -1},
    {"PA", "belem", "belém", -1.46, -48.50, 0.98, 0.03, 0.20, 19.0, 66000, 68899, 0, -1},
    {"MT", "cuiaba", "cuiabá", -15.60, -56.10, 0.91, 0.13, 0.20, 14.0, 78000, 78899, 0, -1},
    {"MA", "sao luis", "são luís", -2.53, -44.30, 0.75, 0.03, 0.15, 18.0, 65000, 65999, 0, -1},
    {"MS", "campo grande", "campo grande", -20.47, -54.62, 0.72, 0.16, 0.10, 13.0, 79000, 79999, 0, -1},
    {"PB", "joao pessoa", "joão pessoa", -7.12, -34.86, 0.54, 0.19, 0.25, 17.0, 58000, 58999, 0, -1},
    {"PI", "teresina", "teresina", -5.09, -42.80, 0.50, 0.03, 0.20, 17.0, 64000, 64999, 0, -1},
    {"RN", "natal", "natal", -5.79, -35.21, 0.49, 0.16, 0.15, 17.0, 59000, 59999, 0, -1},
    {"AL", "maceio", "maceió", -9.67, -35.74, 0.42, 0.00, 0.25, 18.0, 57000, 57999, 0, -1},
    {"SE", "aracaju", "aracaju", -10.91, -37.07, 0.35, 0.06, 0.20, 18.0, 49000, 49999, 0, -1},
    {"TO", "palmas", "palmas", -10.18, -48.33, 0.28, 0.00, 0.20, 16.0, 77000, 77999, 0, -1},
    {"RO", "porto velho", "porto velho", -8.76, -63.90, 0.25, 0.06, 0.20, 18.0, 78900, 78999, 76800, 76999},
    {"AM", "manaus", "manaus", -3.12, -60.02, 0.15, 0.03, 0.20, 22.0, 69000, 69299, 69400, 69899},
    {"AC", "rio branco", "rio branco", -9.97, -67.81, 0.08, 0.03, 0.20, 19.0, 69900, 69999, 0, -1},
    {"AP", "macapa", "macapá", 0.03, -51.07, 0.07, 0.00, 0.20, 24.0, 68900, 68999, 0, -1},
    {"RR", "boa vista", "boa vista", 2.82, -60.67, 0.05, 0.00, 0.20, 23.0, 69300, 69399, 0, -1},
};

// Orders a month in the real export, Sep 2016 - Aug 2018 (Nov 2016 had none; Dec 2016 one).
constexpr MonthVolume kMonths[] = {
    {2016, 9, 4},     {2016, 10, 324},  {2016, 11, 0},    {2016, 12, 1},    {2017, 1, 800},
    {2017, 2, 1780},  {2017, 3, 2682},  {2017, 4, 2404},  {2017, 5, 3700},  {2017, 6, 3245},
    {2017, 7, 4026},  {2017, 8, 4331},  {2017, 9, 4285},  {2017, 10, 4631}, {2017, 11, 7544},
    {2017, 12, 5673}, {2018, 1, 7269},  {2018, 2, 6728},  {2018, 3, 7211},  {2018, 4, 6939},
    {2018, 5, 6873},  {2018, 6, 6167},  {2018, 7, 6292},  {2018, 8, 6512},
};

constexpr std::string_view kTitlesLow[] = {"Não recebi", "Produto errado", "Péssimo", "Atraso na entrega",
                                           "Não recomendo", "Decepcionado"};
constexpr std::string_view kTitlesMid[] = {"Razoável", "Ok", "Poderia ser melhor", "Mais ou menos"};
constexpr std::string_view kTitlesHigh[] = {"Recomendo", "Ótimo", "Super recomendo", "Excelente",
                                            "Muito bom", "Adorei"};
constexpr std::string_view kMessagesLow[] = {
    "Ainda não recebi o produto",
    "O produto veio com defeito, quero a devolução do meu dinheiro",
    "Comprei dois itens e só recebi um",
    "Entrega atrasada, já passou do prazo e nada",
    "Produto diferente do anunciado, \"original\" só no nome",
    "Péssimo atendimento, não respondem os e-mails",
    "Veio quebrado. Aguardando a troca",
};
constexpr std::string_view kMessagesMid[] = {
    "O produto é bom, mas a entrega demorou",
    "Chegou no prazo, porém a embalagem estava amassada",
    "Atendeu as expectativas, nada demais",
    "Qualidade razoável pelo preço",
};
constexpr std::string_view kMessagesHigh[] = {
    "Recebi bem antes do prazo estipulado.",
    "Produto de ótima qualidade, chegou antes do prazo",
    "Tudo certo, recomendo a loja",
    "Muito bom, entrega rápida e produto conforme o anúncio",
    "Excelente! Superou as expectativas",
    "Parabéns lojas lannister, adorei comprar pela Internet",
    "Gostei muito, o produto é \"top\" mesmo",
    "Chegou certinho, bem embalado",
};

constexpr std::string_view kTownHeads[] = {"sao jose do", "santa rita do", "campo", "bom jesus do", "nova",
                                           "vila", "porto", "santo antonio do", "rio", "barra do", "alto",
                                           "monte", "sao joao do", "santa cruz do", "lagoa", "serra"};
constexpr std::string_view kTownTails[] = {"sul", "norte", "oeste", "rio preto", "campos", "paraiso",
                                           "vale", "alegre", "belo", "verde", "grande", "pinhal",
                                           "jardim", "prata", "ouro", "mar", "horizonte", "leste"};

}  // namespace

std::span<const Category> Categories() { return kCategories; }

std::span<const Category* const> TranslationOrder() {
  static const std::vector<const Category*> order = [] {
    std::vector<const Category*> out;
    for (std::string_view name : kTranslationOrder)
      for (const Category& c : kCategories)
        if (c.name == name) out.push_back(&c);
    return out;
  }();
  return order;
}

std::span<const State> States() { return kStates; }
std::span<const MonthVolume> MonthVolumes() { return kMonths; }

std::span<const std::string_view> ReviewTitles(int band) {
  if (band == 0) return kTitlesLow;
  if (band == 1) return kTitlesMid;
  return kTitlesHigh;
}
std::span<const std::string_view> ReviewMessages(int band) {
  if (band == 0) return kMessagesLow;
  if (band == 1) return kMessagesMid;
  return kMessagesHigh;
}
std::span<const std::string_view> TownHeads() { return kTownHeads; }
std::span<const std::string_view> TownTails() { return kTownTails; }

}  // namespace pareto::generate
